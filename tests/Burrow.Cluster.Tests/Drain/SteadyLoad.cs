namespace Burrow.Cluster.Tests.Drain;

/// <summary>Requests one after another through one node until stopped, keeping every one that did not get the upstream's answer.</summary>
internal sealed class SteadyLoad(HttpClient client, string address, string host)
{
    private readonly List<string> _failed = [];
    private volatile bool _stopping;
    private Task<int> _run = Task.FromResult(0);

    public void Start() => _run = Task.Run(RunAsync);

    public async Task<(int Requests, List<string> Failed)> StopAsync()
    {
        _stopping = true;
        int requests = await _run;
        return (requests, _failed);
    }

    private async Task<int> RunAsync()
    {
        int requests = 0;
        while (!_stopping)
        {
            requests++;
            try
            {
                var (status, body) = await DrainCluster.GetAsync(client, address, host);
                if (status != 200 || body != "hello from upstream")
                {
                    _failed.Add($"{status}: {body}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // A timed-out request is a failed one too.
                _failed.Add(ex.Message);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }

        return requests;
    }
}

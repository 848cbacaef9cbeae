namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>A real <c>burrow http</c> process and the public URLs it printed.</summary>
public sealed class AgentRun : IAsyncDisposable
{
    private AgentRun(BurrowProcess process)
    {
        Process = process;
    }

    public BurrowProcess Process { get; }

    public Uri HttpsUrl { get; private set; } = null!;

    public Uri? HttpUrl { get; private set; }

    /// <summary>The inspector and agent API's base URL, from the agent's <c>Web Interface</c> line.</summary>
    public async Task<Uri> WebUrlAsync() => new((await Process.WaitForLineAsync(@"^Web Interface (http://\S+)")).Groups[1].Value);

    /// <summary>Starts an agent and waits for its Forwarding lines.</summary>
    public static async Task<AgentRun> StartAsync(
        IEnumerable<string> args, string stateDir, bool waitForUrl = true, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["BURROW_STATE_DIR"] = stateDir,
            ["XDG_DATA_HOME"] = Path.Combine(stateDir, "data"),
        };
        var process = BurrowProcess.Start(["http", .. args], variables);
        var run = new AgentRun(process);
        if (waitForUrl)
        {
            try
            {
                await run.WaitForUrlsAsync(timeout: timeout);
            }
            catch
            {
                await run.DisposeAsync();
                throw;
            }
        }

        return run;
    }

    public async Task WaitForUrlsAsync(int skip = 0, TimeSpan? timeout = null)
    {
        HttpsUrl = new Uri((await Process.WaitForLineAsync(@"^Forwarding (https://\S+) -> ", timeout, skip)).Groups[1].Value);
        var http = await Process.WaitForLineAsync(@"^Forwarding (http://\S+) -> ", timeout, skip);
        HttpUrl = new Uri(http.Groups[1].Value);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

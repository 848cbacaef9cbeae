using System.Globalization;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>A real <c>burrow tcp</c> process and the public port it printed.</summary>
public sealed class TcpAgentRun : IAsyncDisposable
{
    private TcpAgentRun(BurrowProcess process)
    {
        Process = process;
    }

    public BurrowProcess Process { get; }

    /// <summary>The public port of the tunnel (on the edge's loopback address).</summary>
    public int Port { get; private set; }

    public Uri Url { get; private set; } = null!;

    /// <summary>Starts an agent and, unless told not to, waits for its Forwarding line.</summary>
    public static async Task<TcpAgentRun> StartAsync(IEnumerable<string> args, string stateDir, bool waitForUrl = true)
    {
        var process = BurrowProcess.Start(["tcp", .. args], new Dictionary<string, string>
        {
            ["BURROW_STATE_DIR"] = stateDir,
            ["XDG_DATA_HOME"] = Path.Combine(stateDir, "data"),
        });
        var run = new TcpAgentRun(process);
        if (waitForUrl)
        {
            try
            {
                await run.WaitForUrlAsync();
            }
            catch
            {
                await run.DisposeAsync();
                throw;
            }
        }

        return run;
    }

    public async Task WaitForUrlAsync(int skip = 0)
    {
        var match = await Process.WaitForLineAsync(@"^Forwarding (tcp://[^\s:]+:(\d+)) -> ", skip: skip);
        Url = new Uri(match.Groups[1].Value);
        Port = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

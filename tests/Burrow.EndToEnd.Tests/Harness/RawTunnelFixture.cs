using System.Globalization;
using Burrow.EndToEnd.Tests.Tls;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// An edge with a small free TCP port range (for tcp tunnels; tls tunnels use its HTTPS port), a
/// temp directory, and helpers to start <c>burrow tcp</c> / <c>burrow tls</c> agents against it.
/// Test classes that drive real servers (nginx, PostgreSQL, sshd) derive their fixtures from it.
/// </summary>
public class RawTunnelFixture : IAsyncLifetime
{
    private const int RangeSize = 8;
    private readonly List<IAsyncDisposable> _owned = [];

    public TempDirectory Temp { get; } = new();

    public EdgeRun Edge { get; private set; } = null!;

    public int MinPort { get; private set; }

    public virtual async ValueTask InitializeAsync()
    {
        MinPort = TcpTunnelFixture.FreeRange(RangeSize);
        Edge = await EdgeRun.StartAsync(extra: ["--tcp-ports", $"{I(MinPort)}-{I(MinPort + RangeSize - 1)}"]);
    }

    /// <summary>Starts <c>burrow tcp</c> with <paramref name="args"/> against the edge and waits for its port.</summary>
    public Task<TcpAgentRun> StartTcpAsync(IEnumerable<string> args, bool waitForUrl = true) =>
        TcpAgentRun.StartAsync([.. args, .. Edge.AgentArgs()], NewStateDir(), waitForUrl);

    /// <summary>Starts <c>burrow tls</c> with <paramref name="args"/>; unless told not to, waits for its tls:// URL.</summary>
    public async Task<TlsAgent> StartTlsAsync(IEnumerable<string> args, bool waitForUrl = true)
    {
        string stateDir = NewStateDir();
        var process = BurrowProcess.Start(["tls", .. args, .. Edge.AgentArgs()], new Dictionary<string, string>
        {
            ["BURROW_STATE_DIR"] = stateDir,
            ["XDG_DATA_HOME"] = Path.Combine(stateDir, "data"),
        });
        if (!waitForUrl)
        {
            return new TlsAgent(process, new Uri("tls://not-bound"));
        }

        try
        {
            var match = await process.WaitForLineAsync(@"^Forwarding (tls://\S+) -> ");
            return new TlsAgent(process, new Uri(match.Groups[1].Value));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Disposes <paramref name="resource"/> with the fixture (before the edge).</summary>
    protected T Own<T>(T resource)
        where T : IAsyncDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    public virtual async ValueTask DisposeAsync()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }

        Temp.Dispose();
        GC.SuppressFinalize(this);
    }

    public static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private string NewStateDir() => Path.Combine(Temp.Path, "agents", Guid.NewGuid().ToString("n"));
}

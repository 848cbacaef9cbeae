using System.Globalization;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Policy;

/// <summary>
/// An edge and the Kestrel test upstream; each test starts <c>burrow http --traffic-policy-file</c> agents on it. The
/// edge logs at info, so what a policy writes to the edge's log (the log action, closed connections) can be read from
/// its output.
/// </summary>
public class PolicyEdgeFixture : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();

    public EdgeRun Edge { get; private set; } = null!;

    public Upstream Upstream { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string TempPath => _temp.Path;

    public virtual async ValueTask InitializeAsync()
    {
        Upstream = await Upstream.StartAsync();
        Edge = await EdgeRun.StartAsync(logLevel: "info");
        Client = Clients.Create(Edge.CaPath);
    }

    /// <summary>Writes <paramref name="yaml"/> to a file of its own.</summary>
    public string WritePolicy(string yaml)
    {
        string path = Path.Combine(_temp.Path, $"policy-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>Starts <c>burrow http</c> to the upstream with <paramref name="yaml"/> as its traffic policy.</summary>
    public Task<AgentRun> StartAgentAsync(string yaml, params string[] extra) =>
        AgentRun.StartAsync(
            [Upstream.Port.ToString(CultureInfo.InvariantCulture), "--traffic-policy-file", WritePolicy(yaml), .. extra, .. Edge.AgentArgs()],
            Path.Combine(_temp.Path, "agents", Guid.NewGuid().ToString("n")),
            // Generous: on a loaded machine a bind that compiles a policy can take a while.
            timeout: TimeSpan.FromSeconds(60));

    public virtual async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }

        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }

        _temp.Dispose();
        GC.SuppressFinalize(this);
    }
}

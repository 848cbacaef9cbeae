using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Inspector;

/// <summary>An edge, an upstream, and an agent with its web interface on a free port; plus a client for the web interface.</summary>
public sealed class InspectorFixture : IAsyncLifetime
{
    private readonly TempDirectory _state = new();

    public EdgeRun Edge { get; private set; } = null!;

    public Upstream Upstream { get; private set; } = null!;

    public AgentRun Agent { get; private set; } = null!;

    /// <summary>Talks to the tunnel's public URLs.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>Talks to the agent's web interface (inspector and API).</summary>
    public HttpClient Web { get; private set; } = null!;

    public Uri WebUrl { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Upstream = await Upstream.StartAsync();
        Edge = await EdgeRun.StartAsync();
        Agent = await StartAgentAsync([Upstream.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        WebUrl = await Agent.WebUrlAsync();
        Client = Clients.Create(Edge.CaPath);
        Web = new HttpClient { BaseAddress = WebUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Starts another agent on this fixture's edge (web interface on a free port unless args say otherwise).</summary>
    public Task<AgentRun> StartAgentAsync(IEnumerable<string> args, bool waitForUrl = true)
    {
        string state = Path.Combine(_state.Path, Guid.NewGuid().ToString("n"));
        string[] all = [.. args];
        return AgentRun.StartAsync(all.Contains("--web-addr") ? [.. all, .. Edge.AgentArgs()] : [.. all, "--web-addr", "127.0.0.1:0", .. Edge.AgentArgs()], state, waitForUrl);
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        Web?.Dispose();
        if (Agent is not null)
        {
            await Agent.DisposeAsync();
        }

        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }

        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }

        _state.Dispose();
    }
}

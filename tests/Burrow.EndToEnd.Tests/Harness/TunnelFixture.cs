namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>An edge, an upstream and an agent tunnelling to it, shared by the tests of one class.</summary>
public sealed class TunnelFixture : IAsyncLifetime
{
    private readonly TempDirectory _state = new();

    public EdgeRun Edge { get; private set; } = null!;

    public Upstream Upstream { get; private set; } = null!;

    public AgentRun Agent { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string StateDir => _state.Path;

    public async ValueTask InitializeAsync()
    {
        Upstream = await Upstream.StartAsync();
        Edge = await EdgeRun.StartAsync();
        Agent = await AgentRun.StartAsync([Upstream.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. Edge.AgentArgs()], _state.Path);
        Client = Clients.Create(Edge.CaPath);
    }

    /// <summary>Starts another agent on this fixture's edge, with its own state directory.</summary>
    public async Task<AgentRun> StartAgentAsync(IEnumerable<string> args, bool waitForUrl = true)
    {
        string state = Path.Combine(_state.Path, Guid.NewGuid().ToString("n"));
        return await AgentRun.StartAsync([.. args, .. Edge.AgentArgs()], state, waitForUrl);
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
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

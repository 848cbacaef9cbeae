using System.Globalization;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Hostile;

/// <summary>An edge (with its health listener) and a well-behaved tunnel that must keep working whatever the tests throw at the edge.</summary>
public sealed class HostileEdgeFixture : IAsyncLifetime
{
    private readonly TempDirectory _state = new();

    public EdgeRun Edge { get; private set; } = null!;

    public Upstream Upstream { get; private set; } = null!;

    public AgentRun Agent { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Upstream = await Upstream.StartAsync();
        // Hostile agents authenticate from 127.0.0.1 many times; the failure limit has its own test.
        // Short header and idle timeouts: a connection that never finishes a request (or sends only
        // the blank lines allowed between requests) is let go within them.
        Edge = await EdgeRun.StartAsync(extra:
            [.. EdgeRun.WithHealth, "--auth-failures-per-minute", "0", "--request-headers-timeout", "5s", "--keep-alive-timeout", "5s"], logLevel: "debug");
        Agent = await AgentRun.StartAsync([Upstream.Port.ToString(CultureInfo.InvariantCulture), .. Edge.AgentArgs()], _state.Path);
    }

    /// <summary>The normal tunnel answers (to a new client, which then closes its connection), and the edge is still running.</summary>
    public async Task AssertStillServingAsync()
    {
        Assert.False(Edge.Process.HasExited, Edge.Process.Output);
        using var client = Clients.Create(Edge.CaPath);
        Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(Agent.HttpsUrl, "/hello"), TestContext.Current.CancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
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

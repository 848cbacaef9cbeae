using System.Net;
using Burrow.Agent.Events;
using Burrow.Agent.Tunnels;
using Burrow.Agent;
using Burrow.Cli.Screen;
using Burrow.Edge;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Tests.Screen;

/// <summary>
/// The agent's session loop against a real edge on loopback (no mocks): which events it raises, and the lines the
/// CLI makes of them. The edge is the one <c>burrow http</c> starts in-process when given no --server.
/// </summary>
public sealed class AgentEventsFromEdgeTests : IAsyncLifetime
{
    private const string Token = "brw_agent_events_tests";
    private readonly TempFolder _dataDir = new();
    private EdgeServer _edge = null!;

    public async ValueTask InitializeAsync()
    {
        var options = new EdgeOptions
        {
            Domain = "tunnel.test",
            AgentEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            HttpsEndPoint = null,
            HttpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            AdminEndPoint = null,
            DataDirectory = _dataDir.Path,
            DrainTimeout = TimeSpan.FromSeconds(1),
        };
        _edge = EdgeServer.Create(options, fixedAuthtoken: Token);
        await _edge.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _edge.DisposeAsync();
        _dataDir.Dispose();
    }

    [Fact]
    public async Task Refused_authtoken_raises_one_final_SessionRefused_and_exits_1()
    {
        var events = new List<AgentEvent>();
        using var output = new StringWriter();
        using var errors = new StringWriter();
        AgentRunner runner = Runner("brw_not_the_token");
        runner.EventRaised += e =>
        {
            lock (events)
            {
                events.Add(e);
            }
        };
        runner.EventRaised += new AgentEventWriter(output, errors).Write;

        int exit = await runner.RunAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        SessionRefused refused = Assert.IsType<SessionRefused>(Assert.Single(events));
        Assert.True(refused.GivingUp);
        Assert.True(ErrorCodes.InvalidAuthtoken.Matches(refused.Error), refused.Error.ToString());
        Assert.Equal("", output.ToString());
        Assert.Equal(
            "ERR_BURROW_1002: The authtoken is not valid." + Environment.NewLine
            + "  Check that the token was copied whole and has not been revoked or expired; ask the edge operator for a new one." + Environment.NewLine,
            errors.ToString());
    }

    [Fact]
    public async Task Bound_tunnel_raises_TunnelStarted_with_its_url_and_a_cancelled_run_exits_0()
    {
        var started = new TaskCompletionSource<TunnelStarted>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var output = new StringWriter();
        using var errors = new StringWriter();
        AgentRunner runner = Runner(Token);
        runner.EventRaised += e =>
        {
            if (e is TunnelStarted tunnel)
            {
                started.TrySetResult(tunnel);
            }
        };
        runner.EventRaised += new AgentEventWriter(output, errors).Write;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        Task<int> run = runner.RunAsync(stop.Token);
        TunnelStarted online = await started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        int exit = await run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        Assert.Equal("web", online.TunnelName);
        Assert.Equal("http://localhost:9", online.ForwardsTo);
        Assert.StartsWith("http://events.tunnel.test", online.Url, StringComparison.Ordinal);
        Assert.Equal($"Forwarding {online.Url} -> http://localhost:9" + Environment.NewLine, output.ToString());
        Assert.Equal("", errors.ToString());
    }

    private AgentRunner Runner(string authtoken) => new(new AgentOptions
    {
        ServerAddress = $"127.0.0.1:{_edge.Endpoints.Agents!.Port}",
        ServerName = "tunnel.test",
        EdgeCa = _edge.LocalCaCertificate,
        Authtoken = authtoken,
        WebAddress = null,
        Tunnels =
        [
            new TunnelDefinition
            {
                Name = "web",
                Subdomain = "events",
                Upstream = new UpstreamTarget { Scheme = "http", Host = "localhost", Port = 9 },
            },
        ],
    });
}

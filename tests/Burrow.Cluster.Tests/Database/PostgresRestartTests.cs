using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Burrow.Cluster.Tests.Drain;
using Burrow.Cluster.Tests.Harness;
using Burrow.Cluster.Tests.Traffic;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Database;

/// <summary>
/// The cluster's PostgreSQL restarted under load (issue 15): three real nodes on a PostgreSQL server of the test's own
/// (the shared one stays up for the other classes). Known routes keep being served while it is down, every node says
/// degraded and then ok, NOTIFY works again afterwards, and an agent that went away while the database was down leaves
/// no route behind.
/// </summary>
public sealed class PostgresRestartTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly string[] Names = ["edge-a", "edge-b", "edge-c"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <param name="downSeconds">How long PostgreSQL stays down at least: a quick restart, or one longer than the nodes' 10 s lease (every lease runs out meanwhile).</param>
    [Theory(Timeout = 500_000)]
    [InlineData(4)]
    [InlineData(14)]
    public async Task A_postgres_restart_under_load_fails_no_request_and_leaves_no_stale_owner(int downSeconds)
    {
        await using var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres);
        // A short resume grace, so that the session of an agent stopped while the database is down ends (and its
        // routes are released, which fails) before the database is back.
        string[] grace = ["--resume-grace", "2s"];
        await cluster.StartNodeAsync(Names[0], grace);
        await Task.WhenAll(Names.Skip(1).Select(n => cluster.StartNodeAsync(n, grace)));
        ClusterNodeRun a = cluster.Nodes["edge-a"], b = cluster.Nodes["edge-b"], c = cluster.Nodes["edge-c"];
        await using Upstream upstream = await Upstream.StartAsync();
        string port = upstream.Port.ToString(CultureInfo.InvariantCulture);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };

        // The steady agent: legs on edge-a and edge-b; the load goes through edge-c, which holds no leg.
        using var steadyState = new TempDirectory();
        await using AgentRun steady = await AgentRun.StartAsync(
            [port, "--url", "steady.localhost", "--legs", "2", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-a")], steadyState.Path, timeout: Wait);
        await WaitForTwoLegsAsync(client, steady);
        // The agent that goes away while the database is down: one leg, on edge-b, known to edge-c before the restart.
        using var doomedState = new TempDirectory();
        await using AgentRun doomed = await AgentRun.StartAsync(
            [port, "--url", "doomed.localhost", "--legs", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-b")], doomedState.Path, timeout: Wait);
        await ServedThroughEveryNodeTests.EventuallyAsync(() => NodeHttp.GetStringAsync(client, c, "steady.localhost", "/hello", Token), "steady through edge-c");
        await ServedThroughEveryNodeTests.EventuallyAsync(() => NodeHttp.GetStringAsync(client, c, "doomed.localhost", "/hello", Token), "doomed through edge-c");

        var load = new SteadyLoad(client, string.Create(CultureInfo.InvariantCulture, $"{c.Address}:{c.HttpPort}"), "steady.localhost");
        load.Start();
        await Task.Delay(TimeSpan.FromSeconds(1), Token);

        // PostgreSQL goes down: every node says degraded, and keeps serving.
        var clock = Stopwatch.StartNew();
        await postgres.StopAsync();
        foreach (string name in Names)
        {
            await ClusterHarness.EventuallyAsync(() => cluster.HealthAsync(name), h => h.GetProperty("status").GetString() == "degraded", Wait, h => $"{name}: {h}");
        }

        // The doomed agent stops; its session's grace runs out on edge-b, which cannot delete the route yet.
        doomed.Process.Terminate();
        await doomed.Process.WaitForExitAsync(Wait);
        await b.Process.WaitForLineAsync(@"Could not delete the route of doomed\.localhost", Wait);
        Assert.Equal("hello from upstream", await NodeHttp.GetStringAsync(client, c, "steady.localhost", "/hello", Token));
        if (clock.Elapsed < TimeSpan.FromSeconds(downSeconds))
        {
            await Task.Delay(TimeSpan.FromSeconds(downSeconds) - clock.Elapsed, Token);
        }

        TimeSpan down = clock.Elapsed;
        await postgres.StartAgainAsync();
        var restarted = Stopwatch.StartNew();
        foreach (string name in Names)
        {
            await ClusterHarness.EventuallyAsync(() => cluster.HealthAsync(name), h => h.GetProperty("status").GetString() == "ok", Wait, h => $"{name}: {h}");
        }

        TimeSpan healthy = restarted.Elapsed;

        // The routes table recovered: both legs of the steady agent are in it again, the doomed agent's row is gone.
        RoutesTableReader routes = RoutesTableReader.Of(postgres, cluster);
        await ClusterHarness.EventuallyAsync(() => routes.NodesOfAsync("steady.localhost"),
            nodes => nodes.SequenceEqual(["edge-a", "edge-b"]), Wait, nodes => "steady.localhost on " + string.Join(", ", nodes));
        await ClusterHarness.EventuallyAsync(() => routes.NodesOfAsync("doomed.localhost"),
            nodes => nodes.Count == 0, Wait, nodes => "doomed.localhost still on " + string.Join(", ", nodes));

        // NOTIFY works again: a new hostname bound on edge-a reaches edge-c's cache.
        using var freshState = new TempDirectory();
        await using AgentRun fresh = await AgentRun.StartAsync(
            [port, "--url", "fresh.localhost", "--legs", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-a")], freshState.Path, timeout: Wait);
        var bound = Stopwatch.StartNew();
        await ServedThroughEveryNodeTests.EventuallyAsync(() => NodeHttp.GetStringAsync(client, c, "fresh.localhost", "/hello", Token), "fresh through edge-c");
        TimeSpan freshServed = bound.Elapsed;

        // No stale owner: the doomed agent's hostname is free for another agent on another node, and served there
        // through every node (not sent to edge-b's dead route).
        using var takeoverState = new TempDirectory();
        await using AgentRun takeover = await AgentRun.StartAsync(
            [port, "--url", "doomed.localhost", "--legs", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-c")], takeoverState.Path, timeout: Wait);
        Assert.Equal("doomed.localhost", takeover.HttpsUrl.Host);
        foreach (ClusterNodeRun node in new[] { a, b })
        {
            Assert.Equal("hello from upstream", await ServedThroughEveryNodeTests.EventuallyAsync(
                () => NodeHttp.GetStringAsync(client, node, "doomed.localhost", "/hello", Token), $"doomed through {node.Name} after the takeover"));
        }

        (int requests, List<string> failed) = await load.StopAsync();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"postgres restart: down {down.TotalMilliseconds:0} ms; every node's healthz ok {healthy.TotalMilliseconds:0} ms after it was back; " +
            $"a new route on edge-a served through edge-c {freshServed.TotalMilliseconds:0} ms after its bind; {requests} requests through edge-c, {failed.Count} failed"));
        Assert.True(failed.Count == 0, $"{failed.Count} of {requests} requests failed: {string.Join(" | ", failed.Take(5))}");
        Assert.True(requests > 20, $"only {requests} requests");
        Assert.True(freshServed < TimeSpan.FromSeconds(10), $"the new route took {freshServed} to reach edge-c");
    }

    private static async Task WaitForTwoLegsAsync(HttpClient client, AgentRun agent)
    {
        Uri web = await agent.WebUrlAsync();
        await ClusterHarness.EventuallyAsync(
            async () => JsonNode.Parse(await client.GetStringAsync(new Uri(web, "/api/status"), Token))!["session"]!["legs"]!.AsArray(),
            legs => legs.Count == 2 && legs.All(l => (string?)l!["state"] == "online") && legs.All(l => (string?)l!["region"] != "edge-c"),
            Wait, legs => legs.ToJsonString());
    }
}

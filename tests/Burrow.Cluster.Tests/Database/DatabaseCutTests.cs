using System.Globalization;
using System.Text.Json;
using Burrow.Cluster.Tests.Drain;
using Burrow.Cluster.Tests.Harness;
using Burrow.Cluster.Tests.Traffic;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Database;

/// <summary>
/// A partition-ish fault (issue 15): one node of three reaches PostgreSQL through a relay the test cuts. Under a steady
/// load through that node to a tunnel bound on it earlier, the node keeps serving, says why it is degraded, refuses new
/// binds with ERR_BURROW_5320 while the other nodes stay ok; restored, it is ok again and binds what is then served
/// through the other nodes.
/// </summary>
[Collection(ClusterPostgres.Name)]
public sealed class DatabaseCutTests(PostgresServer postgres)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 400_000)]
    public async Task A_node_cut_from_the_database_keeps_its_tunnels_refuses_binds_with_5320_and_recovers()
    {
        await using var relay = new TcpRelay(postgres.Port);
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres);
        // edge-b reaches the same database through the relay; edge-a starts first and bootstraps the store.
        cluster.UseDatabase("edge-b", cluster.DatabaseUrl.Replace(
            string.Create(CultureInfo.InvariantCulture, $":{postgres.Port}/"), string.Create(CultureInfo.InvariantCulture, $":{relay.Port}/"), StringComparison.Ordinal));
        await cluster.StartNodeAsync("edge-a");
        await Task.WhenAll(cluster.StartNodeAsync("edge-b"), cluster.StartNodeAsync("edge-c"));
        ClusterNodeRun a = cluster.Nodes["edge-a"], b = cluster.Nodes["edge-b"];
        await using Upstream upstream = await Upstream.StartAsync();
        string port = upstream.Port.ToString(CultureInfo.InvariantCulture);

        // A tunnel bound on edge-b before the cut, served through edge-b itself and through edge-a.
        using var keptState = new TempDirectory();
        await using AgentRun kept = await AgentRun.StartAsync(
            [port, "--url", "kept.localhost", "--legs", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-b")], keptState.Path, timeout: Wait);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        await ServedThroughEveryNodeTests.EventuallyAsync(() => NodeHttp.GetStringAsync(client, a, "kept.localhost", "/hello", Token), "kept through edge-a");
        await ServedThroughEveryNodeTests.EventuallyAsync(() => NodeHttp.GetStringAsync(client, b, "kept.localhost", "/hello", Token), "kept through edge-b");

        var load = new SteadyLoad(client, string.Create(CultureInfo.InvariantCulture, $"{b.Address}:{b.HttpPort}"), "kept.localhost");
        load.Start();
        await Task.Delay(TimeSpan.FromSeconds(1), Token);

        relay.Cut();

        // An agent with a leg on every node, started as the cut begins: edge-b refuses its leg's bind for a fault of its
        // own (ERR_BURROW_5xxx); the leg says so in /api/status and tries again, and binds once edge-b is back (below).
        using var threeState = new TempDirectory();
        await using AgentRun three = await AgentRun.StartAsync(
            [port, "--url", "three.localhost", "--legs", "3", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-a")], threeState.Path, timeout: Wait);
        Uri threeWeb = await three.WebUrlAsync();
        string threeStatus = await ClusterHarness.EventuallyAsync(() => client.GetStringAsync(new Uri(threeWeb, "/api/status"), Token),
            json => json.Contains("is not bound on this leg: ERR_BURROW_5", StringComparison.Ordinal) && json.Contains("(trying again)", StringComparison.Ordinal),
            Wait, json => json);
        TestContext.Current.TestOutputHelper?.WriteLine("three legs during the cut: " + threeStatus);
        // edge-b says why; the others, which reach the database directly, stay ok.
        JsonElement cut = await ClusterHarness.EventuallyAsync(() => cluster.HealthAsync("edge-b"),
            h => h.GetProperty("status").GetString() == "degraded" && h.GetProperty("cluster_routes").GetProperty("state").GetString() == "unavailable",
            Wait, h => h.ToString());
        string reason = cut.GetProperty("cluster_routes").GetProperty("reason").GetString() ?? "";
        Assert.StartsWith("ERR_BURROW_5320", reason, StringComparison.Ordinal);
        Assert.Contains("database", reason, StringComparison.Ordinal);
        foreach (string other in new[] { "edge-a", "edge-c" })
        {
            JsonElement health = await cluster.HealthAsync(other);
            Assert.True(health.GetProperty("status").GetString() == "ok", $"{other}: {health}");
        }

        // A new bind on edge-b is refused with the code, and the agent says so.
        using var refusedState = new TempDirectory();
        await using (AgentRun refused = await AgentRun.StartAsync(
            [port, "--url", "refused.localhost", "--legs", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-b")], refusedState.Path, waitForUrl: false))
        {
            await refused.Process.WaitForLineAsync("ERR_BURROW_5320", Wait);
            Assert.DoesNotContain("Forwarding", refused.Process.Output, StringComparison.Ordinal);
            TestContext.Current.TestOutputHelper?.WriteLine("refused agent: " + string.Join(" | ", refused.Process.Output.Split('\n').Where(l => l.Contains("ERR_BURROW", StringComparison.Ordinal)).Take(3)));
        }

        // A partition longer than the lease: the other nodes count edge-b gone (and drop its routes) while it serves on.
        await ClusterHarness.EventuallyAsync(() => cluster.ApiAsync("edge-a", "nodes"),
            nodes => !nodes.EnumerateArray().Any(n => n.GetProperty("name").GetString() == "edge-b" && n.GetProperty("state").GetString() == "live"),
            Wait, nodes => nodes.ToString());
        TestContext.Current.TestOutputHelper?.WriteLine("edge-b's lease ran out while it was cut");

        // The node kept trying to reach its database (the relay refused it), and still serves its tunnel.
        Assert.True(relay.Refused > 0, "edge-b never tried to reconnect to its database");
        Assert.Equal("hello from upstream", await NodeHttp.GetStringAsync(client, b, "kept.localhost", "/hello", Token));

        relay.Restore();
        var restored = System.Diagnostics.Stopwatch.StartNew();
        await ClusterHarness.EventuallyAsync(() => cluster.HealthAsync("edge-b"), h => h.GetProperty("status").GetString() == "ok", Wait, h => h.ToString());
        TimeSpan healthy = restored.Elapsed;

        // A new bind on edge-b succeeds and is served through edge-a; the tunnel bound before the cut still is too.
        using var afterState = new TempDirectory();
        await using AgentRun after = await AgentRun.StartAsync(
            [port, "--url", "after.localhost", "--legs", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-b")], afterState.Path, timeout: Wait);
        Assert.Equal("after.localhost", after.HttpsUrl.Host);
        await ServedThroughEveryNodeTests.EventuallyAsync(() => NodeHttp.GetStringAsync(client, a, "after.localhost", "/hello", Token), "after through edge-a");
        Assert.Equal("hello from upstream", await ServedThroughEveryNodeTests.EventuallyAsync(
            () => NodeHttp.GetStringAsync(client, a, "kept.localhost", "/hello", Token), "kept through edge-a after the cut"));

        // The leg refused during the cut bound by itself, without reconnecting.
        RoutesTableReader routes = RoutesTableReader.Of(postgres, cluster);
        await ClusterHarness.EventuallyAsync(() => routes.NodesOfAsync("three.localhost"), n => n.SequenceEqual(["edge-a", "edge-b", "edge-c"]), Wait,
            n => "three.localhost on " + string.Join(", ", n));

        // Should another node delete edge-b's rows after its reconnect (it saw the lease run out late), edge-b writes
        // those of the tunnels it still serves again at once.
        await ClusterHarness.EventuallyAsync(() => routes.NodesOfAsync("kept.localhost"), n => n.SequenceEqual(["edge-b"]), Wait, n => string.Join(", ", n));
        await routes.DeleteNodeAsync("edge-b");
        await ClusterHarness.EventuallyAsync(() => routes.NodesOfAsync("kept.localhost"), n => n.SequenceEqual(["edge-b"]), Wait, n => "kept.localhost on " + string.Join(", ", n));
        await b.Process.WaitForLineAsync(@"route of kept\.localhost was deleted by another node", Wait);
        await ClusterHarness.EventuallyAsync(() => routes.NodesOfAsync("after.localhost"), n => n.SequenceEqual(["edge-b"]), Wait, n => "after.localhost on " + string.Join(", ", n));
        Assert.Equal("hello from upstream", await ServedThroughEveryNodeTests.EventuallyAsync(
            () => NodeHttp.GetStringAsync(client, a, "kept.localhost", "/hello", Token), "kept through edge-a after its row was deleted"));

        (int requests, List<string> failed) = await load.StopAsync();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"database cut of edge-b: {requests} requests through edge-b, {failed.Count} failed; {relay.Refused} connections refused while cut; healthz ok {healthy.TotalMilliseconds:0} ms after the relay was restored"));
        Assert.True(failed.Count == 0, $"{failed.Count} of {requests} requests failed: {string.Join(" | ", failed.Take(5))}");
        Assert.True(requests > 20, $"only {requests} requests");
    }
}

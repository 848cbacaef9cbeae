using System.Text.Json;
using System.Text.RegularExpressions;
using Burrow.Cluster.Tests.Harness;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Nodes;

/// <summary>Real <c>burrow server --node-name</c> processes on one PostgreSQL: they register, see each other, link up, and leave.</summary>
[Collection(ClusterPostgres.Name)]
public sealed class NodeRegistrationTests(PostgresServer postgres)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    private static string[] LiveNames(JsonElement nodes) =>
        [.. nodes.EnumerateArray().Where(n => n.GetProperty("state").GetString() == "live").Select(n => n.GetProperty("name").GetString()!).Order()];

    [Fact]
    public async Task ThreeNodes_ListEachOther_AndLinkEveryPair_WithRtt()
    {
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres, "edge-a", "edge-b", "edge-c");
        foreach (string node in new[] { "edge-a", "edge-b", "edge-c" })
        {
            // Every node sees all three live, itself marked, and a node link up to each other one with a measured RTT.
            JsonElement nodes = await ClusterHarness.EventuallyAsync(
                () => cluster.ApiAsync(node, "nodes"),
                n => LiveNames(n).SequenceEqual(["edge-a", "edge-b", "edge-c"])
                    && n.EnumerateArray().All(x => x.GetProperty("self").GetBoolean()
                        ? x.GetProperty("link").GetString() == "self"
                        : x.GetProperty("link").GetString() is "dialed" or "accepted" && x.GetProperty("link_rtt_ms").ValueKind == JsonValueKind.Number),
                Settle, n => $"{node}: {n}");
            JsonElement self = nodes.EnumerateArray().Single(n => n.GetProperty("self").GetBoolean());
            Assert.Equal(node, self.GetProperty("name").GetString());
            Assert.Equal($"{cluster.Nodes[node].Address}:{cluster.Nodes[node].LinkPort}", self.GetProperty("link_addr").GetString());
            Assert.Equal(0, self.GetProperty("load").GetProperty("tunnels").GetInt32());
        }

        // The pair's single link: the node whose name sorts first dialed it, the other accepted it.
        JsonElement fromA = await cluster.ApiAsync("edge-a", "nodes");
        Assert.All(fromA.EnumerateArray().Where(n => !n.GetProperty("self").GetBoolean()), n => Assert.Equal("dialed", n.GetProperty("link").GetString()));

        // The CLI lists the same, in a table and as JSON.
        var (exit, output) = await cluster.AdminAsync("edge-b", "nodes");
        Assert.True(exit == 0, output);
        Assert.Contains("edge-b *", output);
        Assert.True(Regex.IsMatch(output, @"edge-a\s+live\s+127\.0\.0\.1:\d+"), output);
        Assert.True(Regex.IsMatch(output, @"edge-c\s+live.*\s(accepted|dialed)\s+[\d.]+ ms"), output);
        var (jsonExit, json) = await cluster.AdminAsync("edge-c", "nodes", "--json");
        Assert.True(jsonExit == 0, json);
        Assert.Equal(["edge-a", "edge-b", "edge-c"], LiveNames(JsonDocument.Parse(json).RootElement));

        // /healthz names the node and the cluster's state.
        JsonElement health = await cluster.HealthAsync("edge-c");
        Assert.Equal("edge-c", health.GetProperty("node").GetString());
        Assert.Equal("ok", health.GetProperty("cluster").GetProperty("state").GetString());
        Assert.Equal(3, health.GetProperty("cluster").GetProperty("live_nodes").GetInt32());
    }

    [Fact]
    public async Task KilledNode_DropsOut_AfterItsLease_AndStoppedNode_AtOnce()
    {
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres, "edge-a", "edge-b", "edge-c");
        await ClusterHarness.EventuallyAsync(() => cluster.ApiAsync("edge-a", "nodes"), n => LiveNames(n).Length == 3, Settle, n => n.ToString());

        // SIGKILL: no goodbye; the others see it gone once its 10 s lease has run out (plus a heartbeat's reload).
        var killedAt = DateTime.UtcNow;
        cluster.Kill("edge-c");
        JsonElement after = await ClusterHarness.EventuallyAsync(() => cluster.ApiAsync("edge-a", "nodes"), n => LiveNames(n).SequenceEqual(["edge-a", "edge-b"]), Settle, n => n.ToString());
        TimeSpan gone = DateTime.UtcNow - killedAt;
        Assert.True(gone > TimeSpan.FromSeconds(5), $"gone after {gone}: sooner than a lease");
        Assert.Equal("gone", after.EnumerateArray().Single(n => n.GetProperty("name").GetString() == "edge-c").GetProperty("state").GetString());
        Assert.Equal("none", after.EnumerateArray().Single(n => n.GetProperty("name").GetString() == "edge-c").GetProperty("link").GetString());

        // SIGTERM: the node deletes its row on the way out, and it is announced: gone well before a lease.
        var stoppedAt = DateTime.UtcNow;
        await cluster.StopAsync("edge-b");
        await ClusterHarness.EventuallyAsync(() => cluster.ApiAsync("edge-a", "nodes"), n => LiveNames(n).SequenceEqual(["edge-a"]), Settle, n => n.ToString());
        Assert.True(DateTime.UtcNow - stoppedAt < TimeSpan.FromSeconds(8), $"a stopped node took {DateTime.UtcNow - stoppedAt} to leave");

        // Its name is free again: the killed node comes back under it.
        await cluster.StartNodeAsync("edge-c");
        await ClusterHarness.EventuallyAsync(() => cluster.ApiAsync("edge-a", "nodes"), n => LiveNames(n).SequenceEqual(["edge-a", "edge-c"]), Settle, n => n.ToString());
    }

    [Fact]
    public async Task SecondProcess_WithALiveNodesName_IsRefused()
    {
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres, "edge-a");
        var (exit, output) = await cluster.StartFailingNodeAsync("edge-a");
        Assert.NotEqual(0, exit);
        Assert.Contains("ERR_BURROW_5302", output);
        Assert.Contains("'edge-a' is held by a live node", output);

        // The holder is untouched.
        Assert.Equal(["edge-a"], LiveNames(await cluster.ApiAsync("edge-a", "nodes")));
    }

    [Fact]
    public async Task NodeName_WithSqlite_IsRefusedAtStart()
    {
        string dir = Directory.CreateTempSubdirectory("burrow-sqlite-node-").FullName;
        var (exit, output) = await Burrow.EndToEnd.Tests.Harness.BurrowProcess.RunToEndAsync(
            ["server", "--data-dir", dir, "--node-name", "edge-a", "--node-addr", $"127.0.0.1:{FreePorts.Next()}",
             "--agent-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0"],
            timeout: TimeSpan.FromSeconds(90));
        Assert.Equal(1, exit);
        Assert.Contains("ERR_BURROW_5301", output);
        Assert.Contains("PostgreSQL", output);
    }

    [Fact]
    public async Task ClusterFlags_WithoutNodeName_AreRefused()
    {
        var (exit, output) = await Burrow.EndToEnd.Tests.Harness.BurrowProcess.RunToEndAsync(
            ["server", "--node-addr", "127.0.0.1:7000"], timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(2, exit);
        Assert.Contains("ERR_BURROW_5303", output);
    }
}

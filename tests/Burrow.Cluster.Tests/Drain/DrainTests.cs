using System.Text.Json.Nodes;
using Burrow.Cluster.Tests.Harness;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Drain;

/// <summary>
/// Draining a node (issue 15 item 5) with real nodes and real agents: <c>burrow admin nodes drain</c> asked of another
/// node, or SIGTERM; the agents move, a steady load through the other node loses no request, and the process exits 0.
/// </summary>
[Collection(ClusterPostgres.Name)]
public sealed class DrainTests(PostgresServer postgres)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("admin")]
    [InlineData("sigterm")]
    public async Task DrainedNode_MovesItsAgents_LosesNoRequest_AndExits0(string how)
    {
        await using DrainCluster drain = await DrainCluster.StartAsync(postgres, "edge-a", "edge-b");
        ClusterHarness cluster = drain.Cluster;
        string viaB = await drain.HttpAddressAsync("edge-b");

        // An agent on edge-a with a second leg on edge-b.
        BurrowProcess agent = await drain.StartAgentAsync("edge-a", "--legs", "2");
        string host = await DrainCluster.HostOfAsync(agent);
        await EventuallyAsync(() => DrainCluster.LegsAsync(agent),
            l => l.Count == 2 && l.All(leg => (string?)leg!["state"] == "online"), l => l.ToJsonString());

        // A steady, checked load through edge-b for the whole drain.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await EventuallyAsync(() => DrainCluster.GetAsync(client, viaB, host), r => r.Status == 200, r => $"{r.Status} {r.Body}");
        var load = new SteadyLoad(client, viaB, host);
        load.Start();
        await Task.Delay(TimeSpan.FromSeconds(1));

        if (how == "admin")
        {
            var (exit, output) = await cluster.AdminAsync("edge-b", "nodes", "drain", "edge-a");
            Assert.True(exit == 0, output);
            Assert.Contains("Node edge-a is draining", output);
        }
        else
        {
            cluster.Nodes["edge-a"].Process.Terminate();
        }

        // The drained process ends by itself, with 0.
        int code = await cluster.Nodes["edge-a"].Process.WaitForExitAsync(Wait);
        Assert.True(code == 0, cluster.Nodes["edge-a"].Process.Output);
        Assert.Contains(how == "admin" ? "This node was drained" : "Shutting down", cluster.Nodes["edge-a"].Process.Output);

        // The agent moved: one leg, on edge-b, online; the node list no longer has edge-a live.
        JsonArray legs = await EventuallyAsync(() => DrainCluster.LegsAsync(agent),
            l => l.Count >= 1 && l.All(leg => (string?)leg!["state"] == "online" && (string?)leg!["region"] == "edge-b"), l => l.ToJsonString());
        Assert.Equal("edge-b", (string?)legs[0]!["region"]);
        await Task.Delay(TimeSpan.FromSeconds(1));
        (int requests, List<string> failed) = await load.StopAsync();
        Assert.True(failed.Count == 0, $"{failed.Count} of {requests} requests failed: {string.Join(" | ", failed.Take(5))}");
        Assert.True(requests > 20, $"only {requests} requests");
        Assert.Contains("Node edge-a is draining", agent.Output);
        var nodes = await cluster.ApiAsync("edge-b", "nodes");
        Assert.DoesNotContain(nodes.EnumerateArray(), n => n.GetProperty("name").GetString() == "edge-a" && n.GetProperty("state").GetString() == "live");
    }

    [Fact]
    public async Task DrainingNode_ShowsDraining_RefusesNewAgents_WithTheCode_AndIsNotOfferedAsALeg()
    {
        await using DrainCluster drain = await DrainCluster.StartAsync(postgres, "edge-a", "edge-b");
        ClusterHarness cluster = drain.Cluster;
        string viaA = await drain.HttpAddressAsync("edge-a");

        // A single-leg agent on edge-a and a request in flight there (3 s): the drain waits for it.
        BurrowProcess first = await drain.StartAgentAsync("edge-a", "--legs", "1");
        string host = await DrainCluster.HostOfAsync(first);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await EventuallyAsync(() => DrainCluster.GetAsync(client, viaA, host), r => r.Status == 200, r => $"{r.Status} {r.Body}");
        Task<(int Status, string Body)> slow = DrainCluster.GetAsync(client, viaA, host, "/slow");
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        var (exit, output) = await cluster.AdminAsync("edge-a", "nodes", "drain", "edge-a");
        Assert.True(exit == 0, output);

        // While it drains: /healthz says so, every node lists it draining, and a new agent is refused with the code.
        var health = await cluster.HealthAsync("edge-a");
        Assert.Equal("draining", health.GetProperty("status").GetString());
        var (listExit, list) = await cluster.AdminAsync("edge-b", "nodes");
        Assert.True(listExit == 0, list);
        Assert.Matches(@"edge-a\s+draining", list);
        BurrowProcess late = await drain.StartAgentAsync("edge-a", "--legs", "1");
        await late.WaitForLineAsync("ERR_BURROW_5308", TimeSpan.FromSeconds(30));

        // An agent on edge-b is not offered edge-a for a leg.
        BurrowProcess onB = await drain.StartAgentAsync("edge-b");
        await DrainCluster.HostOfAsync(onB);
        await Task.Delay(TimeSpan.FromSeconds(2));
        JsonArray legs = await DrainCluster.LegsAsync(onB);
        Assert.True(legs.All(l => (string?)l!["region"] != "edge-a"), legs.ToJsonString());

        // The request in flight finished, the single-leg agent moved to edge-b, and the node exited 0.
        var answer = await slow;
        Assert.Equal((200, "hello from upstream"), answer);
        Assert.Equal(0, await cluster.Nodes["edge-a"].Process.WaitForExitAsync(Wait));
        await EventuallyAsync(() => DrainCluster.LegsAsync(first),
            l => l.Count == 1 && (string?)l[0]!["region"] == "edge-b" && (string?)l[0]!["state"] == "online", l => l.ToJsonString());
    }

    private static Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, Func<T, string> describe) =>
        ClusterHarness.EventuallyAsync(read, condition, Wait, describe);
}

using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Cluster;

/// <summary>
/// The agent's legs (issue 15 item 3) with the real <c>burrow http</c> against in-process edges whose directory lists
/// each other: the agent binds its one hostname on each, requests through either edge reach the upstream, a stopped
/// edge leaves the traffic on the other with no failed request, and its leg comes back when it does.
/// </summary>
public sealed class AgentLegsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    [Fact(Timeout = 180_000)]
    public async Task Two_legs_bind_one_hostname_served_through_either_edge_and_status_lists_both_with_latency()
    {
        await using var cluster = await LegCluster.StartAsync(2);
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using AgentRun agent = await StartAgentAsync(cluster, upstream, state, "--legs", "2");
        string host = await HostAsync(agent);
        await agent.Process.WaitForLineAsync(@"^Leg 1 online: node edge-b \(127\.0\.0\.1:\d+\) carries the tunnels too \(1 bound\)\.", Wait);

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        Assert.Equal("hello from upstream", await GetAsync(client, cluster.HttpPort(0), host));
        Assert.Equal("hello from upstream", await GetAsync(client, cluster.HttpPort(1), host));

        JsonArray legs = await WaitForLegsAsync(client, agent, l => l.Count == 2 && l.All(leg => IsOnlineWithLatency(leg!)));
        Assert.Equal("edge-a", (string?)legs[0]!["region"]);
        Assert.Equal(cluster.AgentAddress(0), (string?)legs[0]!["server_addr"]);
        Assert.Equal("edge-b", (string?)legs[1]!["region"]);
        Assert.Equal(cluster.AgentAddress(1), (string?)legs[1]!["server_addr"]);
    }

    [Fact(Timeout = 240_000)]
    public async Task A_stopped_edge_leaves_traffic_on_the_other_leg_with_no_failed_request_and_its_leg_comes_back()
    {
        await using var cluster = await LegCluster.StartAsync(2);
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        // No --legs: two by default, as the edge lists two nodes.
        await using AgentRun agent = await StartAgentAsync(cluster, upstream, state);
        string host = await HostAsync(agent);
        await agent.Process.WaitForLineAsync(@"^Leg 1 online: node edge-b", Wait);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };

        // The extra leg's edge goes: requests through the first keep succeeding, and the leg is retried with backoff.
        var throughA = Hammer.Start(client, cluster.HttpPort(0), host);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        await cluster.StopEdgeAsync(1);
        await agent.Process.WaitForLineAsync(@"^Leg 1 to node edge-b \(127\.0\.0\.1:\d+\) is down \(.+\); the other legs carry the traffic\. Retrying in \d+\.\d s\.\.\.", Wait);
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        (int okA, List<string> failedA) = await throughA.StopAsync();
        Assert.True(failedA.Count == 0, $"failed through edge-a while edge-b was down: {string.Join("; ", failedA.Take(5))}");
        Assert.True(okA > 0);

        await cluster.StartEdgeAsync(1);
        await agent.Process.WaitForLineAsync(@"^Leg 1 online: node edge-b", Wait, skip: 1);
        Assert.Equal("hello from upstream", await GetAsync(client, cluster.HttpPort(1), host));

        // Now the first leg's edge goes: the extra leg carries everything, the session still counts as online.
        var throughB = Hammer.Start(client, cluster.HttpPort(1), host);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        await cluster.StopEdgeAsync(0);
        await agent.Process.WaitForLineAsync(@"^Lost the connection to the edge", Wait);
        JsonObject status = await StatusAsync(client, agent);
        Assert.Equal("online", (string?)status["status"]);
        JsonArray legs = status["session"]!["legs"]!.AsArray();
        Assert.NotEqual("online", (string?)legs[0]!["state"]);
        Assert.Equal("online", (string?)legs[1]!["state"]);
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        (int okB, List<string> failedB) = await throughB.StopAsync();
        Assert.True(failedB.Count == 0, $"failed through edge-b while edge-a was down: {string.Join("; ", failedB.Take(5))}");
        Assert.True(okB > 0);

        // The first leg comes back to the same URL.
        await cluster.StartEdgeAsync(0);
        await agent.Process.WaitForLineAsync(@"^Reconnected to the edge; the URLs are unchanged\.", Wait);
        Assert.Equal("hello from upstream", await GetAsync(client, cluster.HttpPort(0), host));
        await WaitForLegsAsync(client, agent, l => l.Count == 2 && l.All(leg => (string?)leg!["state"] == "online"));
    }

    [Fact(Timeout = 180_000)]
    public async Task Legs_one_opens_a_single_leg_even_when_the_edge_lists_more_nodes()
    {
        await using var cluster = await LegCluster.StartAsync(3);
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using AgentRun agent = await StartAgentAsync(cluster, upstream, state, "--legs", "1");
        string host = await HostAsync(agent);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };

        JsonArray legs = await WaitForLegsAsync(client, agent, l => l.Count == 1 && IsOnlineWithLatency(l[0]!));
        Assert.Equal("edge-a", (string?)legs[0]!["region"]);
        Assert.Equal("hello from upstream", await GetAsync(client, cluster.HttpPort(0), host));
        using var viaB = await SendAsync(client, cluster.HttpPort(1), host);
        Assert.Equal(HttpStatusCode.NotFound, viaB.StatusCode);
        Assert.DoesNotContain("Leg 1 online", agent.Process.Output, StringComparison.Ordinal);
    }

    private static Task<AgentRun> StartAgentAsync(LegCluster cluster, Upstream upstream, TempDirectory state, params string[] extra) =>
        AgentRun.StartAsync(
            [upstream.Port.ToString(CultureInfo.InvariantCulture), .. cluster.AgentArgs(0), "--web-addr", "127.0.0.1:0", .. extra],
            state.Path, waitForUrl: false);

    private static async Task<string> HostAsync(AgentRun agent) =>
        new Uri((await agent.Process.WaitForLineAsync(@"^Forwarding (http://\S+) -> ", Wait)).Groups[1].Value).Host;

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, int port, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/hello");
        request.Headers.Host = host;
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<string> GetAsync(HttpClient client, int port, string host)
    {
        using HttpResponseMessage response = await SendAsync(client, port, host);
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} through port {port}: {body}");
        return body;
    }

    private static async Task<JsonObject> StatusAsync(HttpClient client, AgentRun agent)
    {
        Uri web = await agent.WebUrlAsync();
        string json = await client.GetStringAsync(new Uri(web, "/api/status"), TestContext.Current.CancellationToken);
        return JsonNode.Parse(json)!.AsObject();
    }

    private static async Task<JsonArray> WaitForLegsAsync(HttpClient client, AgentRun agent, Func<JsonArray, bool> done)
    {
        DateTime deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            JsonArray legs = (await StatusAsync(client, agent))["session"]!["legs"]!.AsArray();
            if (done(legs))
            {
                return legs;
            }

            Assert.True(DateTime.UtcNow < deadline, $"legs not as expected within {Wait}: {legs.ToJsonString()}");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    private static bool IsOnlineWithLatency(JsonNode leg) =>
        (string?)leg["state"] == "online" && ((string?)leg["latency"] ?? "").EndsWith("ms", StringComparison.Ordinal);

    /// <summary>Requests one after another through one edge until stopped, keeping what failed.</summary>
    private sealed class Hammer
    {
        private volatile bool _stopping;
        private readonly List<string> _failed = [];
        private Task<int> _run = Task.FromResult(0);

        public static Hammer Start(HttpClient client, int port, string host)
        {
            var hammer = new Hammer();
            hammer._run = Task.Run(() => hammer.RunAsync(client, port, host));
            return hammer;
        }

        public async Task<(int Ok, List<string> Failed)> StopAsync()
        {
            _stopping = true;
            int ok = await _run;
            return (ok, _failed);
        }

        private async Task<int> RunAsync(HttpClient client, int port, string host)
        {
            int ok = 0;
            while (!_stopping)
            {
                try
                {
                    using HttpResponseMessage response = await SendAsync(client, port, host);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        ok++;
                    }
                    else
                    {
                        _failed.Add($"{(int)response.StatusCode} {string.Join(",", response.Headers.TryGetValues("Burrow-Error-Code", out var code) ? code : [])}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    _failed.Add(ex.Message);
                }
            }

            return ok;
        }
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Burrow.Cluster.Tests.Harness;
using Burrow.Cluster.Tests.Legs;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Limits;

/// <summary>
/// Limits that hold for the cluster, not per node: a policy's <c>rate-limit</c> on an agent with legs on two nodes,
/// and the per-address count of failed agent authentications, on real nodes sharing their counts over node links.
/// </summary>
[Collection(ClusterPostgres.Name)]
public sealed partial class ClusterRateLimitTests(PostgresServer postgres)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task A_rate_limit_counts_the_requests_of_both_legs_and_of_the_node_between()
    {
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres, "edge-a", "edge-b", "edge-c");
        await using Upstream upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        // One bucket per ?part=, so each part of the test starts from an empty one.
        string policy = Path.Combine(state.Path, "policy.yml");
        await File.WriteAllTextAsync(policy, """
            on_http_request:
              - actions:
                  - type: rate-limit
                    config:
                      name: per-path
                      capacity: 10
                      rate: 60s
                      bucket_key: ["getQueryParam('part')"]
            """, Token);
        await using AgentRun agent = await AgentRun.StartAsync(
            [upstream.Port.ToString(CultureInfo.InvariantCulture), "--url", "limited.localhost", "--legs", "2", "--traffic-policy-file", policy,
             "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-a")],
            state.Path, timeout: Wait);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await LegsAndFailoverTests.WaitForLegsAsync(client, agent, l => l.Count == 2 && l.All(leg => (string?)leg!["state"] == "online"));
        ClusterNodeRun a = cluster.Nodes["edge-a"], b = cluster.Nodes["edge-b"], c = cluster.Nodes["edge-c"];

        // The whole capacity taken on edge-a, through its own leg...
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal("hello from upstream", await NodeHttp.GetStringAsync(client, a, "limited.localhost", "/hello?part=one", Token));
        }

        // ...is what edge-b refuses with once edge-a's counts have reached it: without sharing it would serve ten more.
        await WaitUntilHeardAsync(cluster, from: "edge-a", at: "edge-b");
        using (HttpResponseMessage refused = await NodeHttp.GetAsync(client, b, "limited.localhost", "/hello?part=one", Token))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Contains("ERR_BURROW_3102", await refused.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
            Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        }

        using (HttpResponseMessage refused = await NodeHttp.GetAsync(client, c, "limited.localhost", "/hello?part=one", Token))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        }

        // Through edge-c, which has no leg and spreads requests over the two nodes that have one, paced at two sharing
        // intervals: ten pass in all, not ten per leg.
        long aBefore = await SharedAsync(cluster, "edge-a", "out"), bBefore = await SharedAsync(cluster, "edge-b", "out");
        int passed = 0, limited = 0;
        for (int i = 0; i < 40; i++)
        {
            using HttpResponseMessage response = await NodeHttp.GetAsync(client, c, "limited.localhost", "/hello?part=spread", Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                passed++;
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests,
                    $"request {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Token)}");
                limited++;
            }

            await Task.Delay(100, Token);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"through edge-c: {passed} passed, {limited} limited");
        Assert.InRange(passed, 10, 11);
        // Both legs' nodes counted some of them: the requests really were split.
        Assert.True(await SharedAsync(cluster, "edge-a", "out") > aBefore, "edge-a counted none of the ?part=spread requests");
        Assert.True(await SharedAsync(cluster, "edge-b", "out") > bBefore, "edge-b counted none of the ?part=spread requests");
        // edge-c holds no leg, so the policy never runs there and the counts are not sent to it.
        Assert.Equal(0, await SharedAsync(cluster, "edge-c", "in"));
    }

    [Fact(Timeout = 300_000)]
    public async Task Failed_authentications_on_one_node_count_on_the_others()
    {
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres);
        await cluster.StartNodeAsync("edge-a", "--auth-failures-per-minute", "3");
        await cluster.StartNodeAsync("edge-b", "--auth-failures-per-minute", "3");
        await ClusterHarness.EventuallyAsync(() => cluster.ApiAsync("edge-a", "nodes"),
            nodes => nodes.EnumerateArray().Any(n => n.GetProperty("name").GetString() == "edge-b" && n.GetProperty("link").GetString() is "dialed" or "accepted"),
            Wait, nodes => nodes.ToString());

        for (int i = 0; i < 3; i++)
        {
            Assert.Contains("ERR_BURROW_1002", await WrongTokenAsync(cluster, "edge-a"), StringComparison.Ordinal);
        }

        await WaitUntilHeardAsync(cluster, from: "edge-a", at: "edge-b");
        string refused = await WrongTokenAsync(cluster, "edge-b");
        Assert.Contains("ERR_BURROW_5010", refused, StringComparison.Ordinal);
    }

    private static async Task<string> WrongTokenAsync(ClusterHarness cluster, string node)
    {
        string[] args = [.. cluster.AgentArgs(node)];
        args[Array.IndexOf(args, "--authtoken") + 1] = "brw_wrong_token";
        await using BurrowProcess agent = BurrowProcess.Start(["http", "9", "--web-addr", "false", .. args]);
        return (await agent.WaitForLineAsync("ERR_BURROW_\\d+", Wait)).Value;
    }

    /// <summary>
    /// Waits until <paramref name="at"/> has received every count <paramref name="from"/> sent: its "out" has stopped
    /// moving (nothing left to send) and the other's "in" has caught up with it.
    /// </summary>
    private static async Task WaitUntilHeardAsync(ClusterHarness cluster, string from, string at)
    {
        long sent = -1;
        int steady = 0;
        DateTime deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            long now = await SharedAsync(cluster, from, "out");
            steady = now == sent ? steady + 1 : 0;
            sent = now;
            long heard = await SharedAsync(cluster, at, "in");
            if (sent > 0 && steady >= 2 && heard >= sent)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{at} heard {heard} counts of the {sent} {from} sent");
            await Task.Delay(100, Token);
        }
    }

    private static async Task<long> SharedAsync(ClusterHarness cluster, string node, string direction)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.ApiKey);
        string text = await client.GetStringAsync(new Uri(new Uri(cluster.Nodes[node].AdminUrl!), "/metrics"), Token);
        Match sample = SharedSample().Matches(text).FirstOrDefault(m => m.Groups["direction"].Value == direction)
            ?? throw new InvalidOperationException($"no burrow_edge_rate_limit_shared sample for {direction} on {node}:\n{text}");
        return (long)double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("""^burrow_edge_rate_limit_shared(?:_total)?\{[^}]*direction="(?<direction>\w+)"[^}]*\} (?<value>\S+)""", RegexOptions.Multiline)]
    private static partial Regex SharedSample();
}

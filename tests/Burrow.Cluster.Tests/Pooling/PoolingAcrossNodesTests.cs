using System.Globalization;
using Burrow.Cluster.Tests.Harness;
using Burrow.Cluster.Tests.Traffic;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Pooling;

/// <summary>Endpoint pooling across nodes: agents that share one URL, each bound on another node, all get requests.</summary>
[Collection(ClusterPostgres.Name)]
public sealed class PoolingAcrossNodesTests(PostgresServer postgres)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task Requests_through_one_node_are_spread_evenly_over_pooled_agents_on_every_node()
    {
        string[] names = ["edge-a", "edge-b", "edge-c"];
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres, names);
        var upstreams = new List<Upstream>();
        var states = new List<TempDirectory>();
        var agents = new List<AgentRun>();
        try
        {
            foreach (string node in names)
            {
                Upstream upstream = await Upstream.StartAsync();
                upstreams.Add(upstream);
                var state = new TempDirectory();
                states.Add(state);
                agents.Add(await AgentRun.StartAsync(
                    [upstream.Port.ToString(CultureInfo.InvariantCulture), "--url", "pool.localhost", "--pooling-enabled", "--legs", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs(node)],
                    state.Path, timeout: Wait));
            }

            // Every node knows all three members before counting starts: each upstream has answered through edge-a.
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            ClusterNodeRun entry = cluster.Nodes["edge-a"];
            await ServedThroughEveryNodeTests.EventuallyAsync(async () =>
            {
                await NodeHttp.GetStringAsync(client, entry, "pool.localhost", "/record/warm", Token);
                return upstreams.All(u => !u.Recorded.IsEmpty) ? true : throw new TimeoutException("not every member answered yet");
            }, "every member answering through edge-a");
            int[] start = [.. upstreams.Select(u => u.Recorded.Count)];

            const int Requests = 300;
            for (int i = 0; i < Requests; i++)
            {
                await NodeHttp.GetStringAsync(client, entry, "pool.localhost", "/record/" + i.ToString(CultureInfo.InvariantCulture), Token);
            }

            int[] counts = [.. upstreams.Select((u, i) => u.Recorded.Count - start[i])];
            TestContext.Current.TestOutputHelper?.WriteLine($"{Requests} requests through edge-a over members on edge-a, edge-b, edge-c: {string.Join(", ", counts)}");
            Assert.Equal(Requests, counts.Sum());
            double even = Requests / 3.0;
            Assert.All(counts, n => Assert.True(Math.Abs(n - even) <= even * 0.2, $"spread {string.Join(", ", counts)}: not within 20 % of {even:0}"));
        }
        finally
        {
            foreach (AgentRun agent in agents)
            {
                await agent.DisposeAsync();
            }

            foreach (Upstream upstream in upstreams)
            {
                await upstream.DisposeAsync();
            }

            states.ForEach(s => s.Dispose());
        }
    }
}

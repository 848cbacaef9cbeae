using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Burrow.Cluster.Tests.Harness;
using Burrow.Cluster.Tests.Traffic;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Legs;

/// <summary>
/// An agent's legs on a real cluster: by default a second leg to another node, both online with the same URL; and
/// SIGKILL of the node carrying the first leg under a checked load through a third node.
/// </summary>
[Collection(ClusterPostgres.Name)]
public sealed class LegsAndFailoverTests(PostgresServer postgres)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task By_default_an_agent_on_a_opens_a_second_leg_on_another_node_with_the_same_url()
    {
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres, "edge-a", "edge-b", "edge-c");
        await using Upstream upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using AgentRun agent = await AgentRun.StartAsync(
            [upstream.Port.ToString(CultureInfo.InvariantCulture), "--url", "legs.localhost", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-a")],
            state.Path, timeout: Wait);

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        JsonArray legs = await WaitForLegsAsync(client, agent, l => l.Count == 2 && l.All(leg => (string?)leg!["state"] == "online"));
        Assert.Equal("edge-a", (string?)legs[0]!["region"]);
        string second = (string?)legs[1]!["region"] ?? "";
        Assert.Contains(second, new[] { "edge-b", "edge-c" });
        Assert.Equal(cluster.Nodes[second].AgentAddress, (string?)legs[1]!["server_addr"]);

        // One URL, served by each leg's node itself (each holds a local tunnel for it), and through the third.
        Assert.Single(agent.Process.Output.Split('\n'), l => l.StartsWith("Forwarding https://", StringComparison.Ordinal));
        foreach (ClusterNodeRun node in cluster.Nodes.Values)
        {
            Assert.Equal("hello from upstream", await ServedThroughEveryNodeTests.EventuallyAsync(
                () => NodeHttp.GetStringAsync(client, node, "legs.localhost", "/hello", Token), $"/hello through {node.Name}"));
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task Killing_the_node_of_the_first_leg_under_load_through_c_fails_only_what_was_on_it_and_recovers_within_5_s()
    {
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres, "edge-a", "edge-b", "edge-c");
        await using Upstream upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using AgentRun agent = await AgentRun.StartAsync(
            [upstream.Port.ToString(CultureInfo.InvariantCulture), "--url", "steady.localhost", "--legs", "2", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-a")],
            state.Path, timeout: Wait);
        string url = agent.HttpsUrl.ToString();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        JsonArray legs = await WaitForLegsAsync(client, agent, l => l.Count == 2 && l.All(leg => (string?)leg!["state"] == "online"));
        Assert.Equal(["edge-a", "edge-b"], legs.Select(l => (string?)l!["region"]).Order());
        ClusterNodeRun c = cluster.Nodes["edge-c"];
        await ServedThroughEveryNodeTests.EventuallyAsync(() => NodeHttp.GetStringAsync(client, c, "steady.localhost", "/hello", Token), "/hello through edge-c");

        // A bounded, steady load through C: two workers, one request after another, each body checked.
        var outcomes = new System.Collections.Concurrent.ConcurrentQueue<(TimeSpan Started, TimeSpan Ended, bool Ok, string Detail)>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        async Task WorkAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                TimeSpan started = clock.Elapsed;
                try
                {
                    string body = await NodeHttp.GetStringAsync(client, c, "steady.localhost", "/hello", Token);
                    outcomes.Enqueue((started, clock.Elapsed, body == "hello from upstream", body));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    outcomes.Enqueue((started, clock.Elapsed, false, e.Message));
                }

                await Task.Delay(20, CancellationToken.None);
            }
        }

        Task[] workers = [WorkAsync(), WorkAsync()];
        await Task.Delay(TimeSpan.FromSeconds(3), Token);
        TimeSpan killedAt = clock.Elapsed;
        cluster.Kill("edge-a");
        await Task.Delay(TimeSpan.FromSeconds(12), Token);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        var all = outcomes.OrderBy(o => o.Started).ToList();
        var before = all.Where(o => o.Ended < killedAt).ToList();
        var after = all.Where(o => o.Ended >= killedAt).ToList();
        var failures = after.Where(o => !o.Ok).ToList();
        TimeSpan firstSuccess = after.FirstOrDefault(o => o.Ok && o.Started >= killedAt).Ended - killedAt;
        TimeSpan failureFree = failures.Count == 0 ? TimeSpan.Zero : failures.Max(o => o.Ended) - killedAt;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"failover through edge-c: {before.Count} requests before the kill ({before.Count(o => !o.Ok)} failed), {after.Count} after; " +
            $"{failures.Count} failed; kill -> first success {firstSuccess.TotalMilliseconds:0} ms; last failure {failureFree.TotalMilliseconds:0} ms after the kill"));
        foreach (var failure in failures.Take(10))
        {
            TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  failed: started {(failure.Started - killedAt).TotalMilliseconds:0} ms, ended {(failure.Ended - killedAt).TotalMilliseconds:0} ms after the kill: {failure.Detail}"));
        }

        Assert.All(before, o => Assert.True(o.Ok, o.Detail));
        // Not one request sent after the kill failed: edge-c sends a GET that edge-a did not answer to edge-b (NodeRetry).
        Assert.All(after.Where(o => o.Started >= killedAt), o => Assert.True(o.Ok, $"started {(o.Started - killedAt).TotalMilliseconds:0} ms after the kill: {o.Detail}"));
        Assert.True(after.Count(o => o.Ok) > 50, $"only {after.Count(o => o.Ok)} requests succeeded after the kill");
        // The first failure-free second after the kill begins within 5 s of it, and nothing fails after that.
        Assert.True(failureFree <= TimeSpan.FromSeconds(5), $"requests still failed {failureFree} after the kill");
        // The URL is unchanged: the agent never printed another one.
        Assert.All(agent.Process.Output.Split('\n').Where(l => l.StartsWith("Forwarding https://", StringComparison.Ordinal)), l => Assert.Contains(url.TrimEnd('/'), l, StringComparison.Ordinal));
    }

    [Fact(Timeout = 300_000)]
    public async Task Killing_the_node_of_the_first_leg_leaves_no_new_tcp_or_tls_connection_through_c_unanswered()
    {
        // A and B first, so that the agents' second legs go to B; C joins after, and holds no leg.
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres, "edge-a", "edge-b");
        await using Upstream upstream = await Upstream.StartAsync();
        await using TcpUpstream tcpUpstream = TcpUpstream.Start(TcpUpstream.Mode.HashAfterEof);
        using var tcpState = new TempDirectory();
        using var tlsState = new TempDirectory();
        int tcpWeb = Storage.Tests.Harness.FreePorts.Next(), tlsWeb = Storage.Tests.Harness.FreePorts.Next();
        await using TcpAgentRun tcp = await TcpAgentRun.StartAsync(
            [tcpUpstream.Port.ToString(CultureInfo.InvariantCulture), "--legs", "2", "--web-addr", $"127.0.0.1:{tcpWeb}", .. cluster.AgentArgs("edge-a")], tcpState.Path);
        await using BurrowProcess tls = BurrowProcess.Start(
            ["tls", upstream.TlsPort.ToString(CultureInfo.InvariantCulture), "--url", "kept.localhost", "--legs", "2", "--web-addr", $"127.0.0.1:{tlsWeb}", .. cluster.AgentArgs("edge-a")],
            new Dictionary<string, string> { ["BURROW_STATE_DIR"] = tlsState.Path, ["XDG_DATA_HOME"] = Path.Combine(tlsState.Path, "data") });
        await tls.WaitForLineAsync(@"^Forwarding (tls://\S+) -> ", Wait);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        foreach (int web in new[] { tcpWeb, tlsWeb })
        {
            JsonArray legs = await WaitForLegsAsync(client, new Uri($"http://127.0.0.1:{web}"), l => l.Count == 2 && l.All(leg => (string?)leg!["state"] == "online"));
            Assert.Equal(["edge-a", "edge-b"], legs.Select(l => (string?)l!["region"]).Order());
        }

        ClusterNodeRun c = await cluster.StartNodeAsync("edge-c");
        byte[] payload = RandomNumberGenerator.GetBytes(20_000);
        string hash = Convert.ToHexStringLower(SHA256.HashData(payload));
        Assert.Equal(hash, await ServedThroughEveryNodeTests.EventuallyAsync(() => ServedThroughEveryNodeTests.HashThroughAsync(c.Address, tcp.Port, payload), "tcp through edge-c"));
        Assert.Equal("hello from upstream", await ServedThroughEveryNodeTests.EventuallyAsync(() => TlsGetAsync(c), "tls through edge-c"));

        // Every connection opened through C after A is gone is answered: C's routes still name A until its lease runs
        // out, so C passes A over for B when it cannot open a link stream to it (CarriedStreams).
        cluster.Kill("edge-a");
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        int tcpDone = 0, tlsDone = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(4))
        {
            try
            {
                Assert.Equal(hash, await ServedThroughEveryNodeTests.HashThroughAsync(c.Address, tcp.Port, payload));
                tcpDone++;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"tcp at {clock.ElapsedMilliseconds} ms: {e.Message}"));
            }

            try
            {
                Assert.Equal("hello from upstream", await TlsGetAsync(c));
                tlsDone++;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"tls at {clock.ElapsedMilliseconds} ms: {e.Message}"));
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"after the kill: {tcpDone} tcp and {tlsDone} tls connections answered through edge-c; {failures.Count} failed");
        if (failures.Count > 0)
        {
            // What edge-b, edge-c and the tcp agent said is what tells a routing fault from a leg moving.
            TestContext.Current.TestOutputHelper?.WriteLine("---- routes ----\n" + string.Join('\n', await Database.RoutesTableReader.Of(postgres, cluster).AllAsync()));
            TestContext.Current.TestOutputHelper?.WriteLine("---- edge-c ----\n" + Tail(c.Process.Output));
            TestContext.Current.TestOutputHelper?.WriteLine("---- edge-b ----\n" + Tail(cluster.Nodes["edge-b"].Process.Output));
            TestContext.Current.TestOutputHelper?.WriteLine("---- tcp agent ----\n" + Tail(tcp.Process.Output));
        }

        Assert.Empty(failures);
        Assert.True(tcpDone > 5 && tlsDone > 5, $"{tcpDone} tcp, {tlsDone} tls");
    }

    private static string Tail(string output) => output.Length <= 6000 ? output : output[^6000..];

    /// <summary>One GET on a new TLS connection through <paramref name="node"/>, checked to end at the upstream's own certificate.</summary>
    private static async Task<string> TlsGetAsync(ClusterNodeRun node)
    {
        using SocketsHttpHandler handler = NodeHttp.To(node, node.HttpsPort);
        handler.SslOptions = new System.Net.Security.SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()).Thumbprint == Upstream.TlsCertificate.Thumbprint,
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        return await client.GetStringAsync(new Uri("https://kept.localhost/hello"), Token);
    }

    internal static async Task<JsonArray> WaitForLegsAsync(HttpClient client, AgentRun agent, Func<JsonArray, bool> done) =>
        await WaitForLegsAsync(client, await agent.WebUrlAsync(), done);

    private static async Task<JsonArray> WaitForLegsAsync(HttpClient client, Uri web, Func<JsonArray, bool> done)
    {
        DateTime deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            JsonArray legs = JsonNode.Parse(await client.GetStringAsync(new Uri(web, "/api/status"), Token))!["session"]!["legs"]!.AsArray();
            if (done(legs))
            {
                return legs;
            }

            Assert.True(DateTime.UtcNow < deadline, $"legs not as expected within {Wait}: {legs.ToJsonString()}");
            await Task.Delay(200, Token);
        }
    }
}

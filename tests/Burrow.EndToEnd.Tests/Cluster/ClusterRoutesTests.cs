using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Burrow.Edge.Agents;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Storage;
using Burrow.Storage.Routes;
using Burrow.Storage.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Cluster;

/// <summary>
/// Issue 15 item 2 on in-process nodes sharing one real PostgreSQL, with real <c>burrow</c> agents: the routes table
/// followed by every node, one owner per hostname, traffic carried to the node that holds the agent, revocations
/// across nodes, and a node cut off from the database.
/// </summary>
public sealed class ClusterRoutesTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    [Fact(Timeout = 180_000)]
    public async Task A_bind_on_one_node_is_seen_by_every_node_and_its_end_too()
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres, 3);
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();

        var agent = await AgentRun.StartAsync([Port(upstream.Port), "--url", "seen.localhost", .. cluster.AgentArgs(cluster[0])], state.Path, timeout: Wait);
        var watch = Stopwatch.StartNew();
        await cluster.WaitForRouteAsync("seen.localhost");
        // The bind committed before the agent printed its URL: the others follow through NOTIFY (target ~100 ms; the
        // bound is loose for a loaded test machine).
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"the route reached every node after {watch.Elapsed}");
        RouteRow row = Assert.Single(cluster[2].Routes.Find("seen.localhost"));
        Assert.Equal("node-a", row.Node);
        Assert.Equal("http", row.Proto);

        // Gone with the agent's session (after its resume grace) on every node.
        await agent.DisposeAsync();
        await cluster.WaitForRouteAsync("seen.localhost", present: false, TimeSpan.FromSeconds(30));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_committed_route_change_reaches_the_other_nodes_memory_within_the_target()
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres, 2);
        await using RouteTable table = RouteTable.ForDatabase(cluster.ConnectionString)!;
        var took = new List<double>();
        for (int i = 0; i < 20; i++)
        {
            string key = string.Create(CultureInfo.InvariantCulture, $"latency-{i}.localhost");
            var row = new RouteRow(key, "node-x", "tun_x", "ses_x", "agent-x", null, null, "http", false, DateTimeOffset.UtcNow);
            var watch = Stopwatch.StartNew();
            Assert.Equal(RouteClaim.Claimed, (await table.ClaimAsync(row, TestContext.Current.CancellationToken)).Claim);
            while (cluster[1].Routes.Find(key).Count == 0)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{key} did not reach node B");
                await Task.Delay(1, TestContext.Current.CancellationToken);
            }

            took.Add(watch.Elapsed.TotalMilliseconds);
        }

        took.Sort();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"claim committed -> in node B's memory: p50 {took[took.Count / 2]:0.0} ms, max {took[^1]:0.0} ms over {took.Count}"));
        // Target ~100 ms (issue 15); the bound leaves room for a machine shared with other builds.
        Assert.True(took[took.Count / 2] < 250, $"median {took[took.Count / 2]} ms");
    }

    [Fact(Timeout = 180_000)]
    public async Task An_http_request_and_a_websocket_landing_on_b_are_served_by_the_agent_on_a_with_the_client_address()
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres, 2);
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([Port(upstream.Port), "--url", "far.localhost", .. cluster.AgentArgs(cluster[0])], state.Path, timeout: Wait);
        await cluster.WaitForRouteAsync("far.localhost");

        using HttpResponseMessage hello = await cluster[1].GetAsync("far.localhost", "/hello");
        Assert.Equal(HttpStatusCode.OK, hello.StatusCode);
        Assert.Equal("hello from upstream", await hello.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        using HttpResponseMessage headers = await cluster[1].GetAsync("far.localhost", "/headers");
        var seen = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(await headers.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("127.0.0.1", seen["x-forwarded-for"]);
        Assert.Equal("far.localhost", seen["x-forwarded-host"]);
        Assert.Equal("far.localhost", seen["host"]);
        Assert.False(seen.ContainsKey("burrow-relayed-client"), "the relay's own headers reach no upstream");

        // A client cannot pose as another address: what it sends in the relay's header is overwritten at the entry node.
        using (var client = new HttpClient())
        using (var spoof = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{Port(cluster[1].HttpPort)}/headers")))
        {
            spoof.Headers.Host = "far.localhost";
            spoof.Headers.TryAddWithoutValidation("Burrow-Relayed-Client", "203.0.113.9:4444");
            using HttpResponseMessage answer = await client.SendAsync(spoof, TestContext.Current.CancellationToken);
            var echoed = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
            Assert.Equal("127.0.0.1", echoed["x-forwarded-for"]);
        }

        // A WebSocket upgraded through B and A both.
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, cluster[1].HttpPort, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var invoker = new HttpMessageInvoker(handler);
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri("ws://far.localhost/ws"), invoker, TestContext.Current.CancellationToken);
        await ws.SendAsync("through two nodes"u8.ToArray(), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        byte[] buffer = new byte[64];
        WebSocketReceiveResult received = await ws.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
        Assert.Equal("through two nodes", Encoding.UTF8.GetString(buffer, 0, received.Count));
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", TestContext.Current.CancellationToken);

        // No route at all is still a plain not-found on B.
        using HttpResponseMessage missing = await cluster[1].GetAsync("nobody.localhost", "/hello");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_tcp_tunnel_bound_on_a_is_served_on_its_port_of_b_with_half_close()
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres, 2);
        await using var upstream = TcpUpstream.Start(TcpUpstream.Mode.HashAfterEof);
        using var state = new TempDirectory();
        await using var agent = await TcpAgentRun.StartAsync([Port(upstream.Port), .. cluster.AgentArgs(cluster[0])], state.Path);
        string key = string.Create(CultureInfo.InvariantCulture, $"tcp://localhost:{agent.Port}");
        await cluster.WaitForRouteAsync(key);
        var portsOnB = cluster[1].Edge.Service<Burrow.Edge.Cluster.RemoteTcpPorts>();
        await WaitUntilAsync(() => portsOnB.OpenKeys().Contains(key), "node B to open the tunnel's port");

        // Node B listens on 127.0.0.2 (node A on 127.0.0.1): the same port, reached on B.
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Parse("127.0.0.2"), agent.Port, TestContext.Current.CancellationToken);
        NetworkStream stream = client.GetStream();
        byte[] payload = new byte[300_000];
        Random.Shared.NextBytes(payload);
        await stream.WriteAsync(payload, TestContext.Current.CancellationToken);
        // The upstream answers only once it read to the end: the client's half-close must cross both nodes.
        client.Client.Shutdown(SocketShutdown.Send);
        using var reader = new StreamReader(stream);
        string answer = await reader.ReadToEndAsync(TestContext.Current.CancellationToken).WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(payload)), answer);

        // The port closes on B once the tunnel is gone.
        await agent.DisposeAsync();
        await cluster.WaitForRouteAsync(key, present: false, TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => !portsOnB.OpenKeys().Contains(key), "node B to close the port");
    }

    [Fact(Timeout = 180_000)]
    public async Task A_tls_passthrough_tunnel_bound_on_a_is_served_through_b_with_the_upstreams_own_certificate()
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres, 2);
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using var agent = BurrowProcess.Start(
            ["tls", Port(upstream.TlsPort), "--url", "pass.localhost", .. cluster.AgentArgs(cluster[0])],
            new Dictionary<string, string> { ["BURROW_STATE_DIR"] = state.Path, ["XDG_DATA_HOME"] = Path.Combine(state.Path, "data") });
        await agent.WaitForLineAsync(@"^Forwarding (tls://\S+) -> ", Wait);
        await cluster.WaitForRouteAsync("pass.localhost");

        System.Security.Cryptography.X509Certificates.X509Certificate2? seen = null;
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, cluster[1].Edge.Endpoints.Https!.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    // Only the upstream's own self-signed certificate is accepted: the edge's would mean TLS was not passed through.
                    seen = certificate is null ? null : System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    return seen?.Thumbprint == Upstream.TlsCertificate.Thumbprint;
                },
            },
        };
        using var client = new HttpClient(handler) { Timeout = Wait };
        string body = await client.GetStringAsync(new Uri("https://pass.localhost/hello"), TestContext.Current.CancellationToken);
        Assert.Equal("hello from upstream", body);
        Assert.Equal(Upstream.TlsCertificate.Thumbprint, seen?.Thumbprint);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_second_agent_binding_the_name_on_another_node_is_refused_like_a_local_conflict()
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres, 2);
        await using var upstream = await Upstream.StartAsync();
        using var stateA = new TempDirectory();
        using var stateB = new TempDirectory();
        await using var first = await AgentRun.StartAsync([Port(upstream.Port), "--url", "mine.localhost", .. cluster.AgentArgs(cluster[0])], stateA.Path, timeout: Wait);

        await using var second = await AgentRun.StartAsync([Port(upstream.Port), "--url", "mine.localhost", .. cluster.AgentArgs(cluster[1])], stateB.Path, waitForUrl: false);
        await second.Process.WaitForLineAsync("ERR_BURROW_2001", Wait);
        RouteRow owner = Assert.Single(cluster[1].Routes.Find("mine.localhost"));
        Assert.Equal("node-a", owner.Node);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_tokens_tunnel_quota_counts_its_tunnels_on_other_nodes()
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres, 2);
        await using var upstream = await Upstream.StartAsync();
        IControlStore store = cluster[0].Edge.Store!;
        Authtoken bootstrap = (await store.FindAuthtokenAsync(cluster.Token, TestContext.Current.CancellationToken))!;
        CreatedAuthtoken limited = await store.CreateAuthtokenAsync(
            new NewAuthtoken { AccountId = bootstrap.AccountId, Name = "one tunnel", Scopes = new AuthtokenScopes { MaxTunnels = 1 } },
            TestContext.Current.CancellationToken);
        string[] WithToken(IEnumerable<string> args) => [.. args.Select(a => a == cluster.Token ? limited.Secret : a)];
        using var stateA = new TempDirectory();
        using var stateB = new TempDirectory();
        await using var first = await AgentRun.StartAsync([Port(upstream.Port), "--url", "quota-a.localhost", .. WithToken(cluster.AgentArgs(cluster[0]))], stateA.Path, timeout: Wait);
        await cluster.WaitForRouteAsync("quota-a.localhost");

        await using var second = await AgentRun.StartAsync([Port(upstream.Port), "--url", "quota-b.localhost", .. WithToken(cluster.AgentArgs(cluster[1]))], stateB.Path, waitForUrl: false);
        await second.Process.WaitForLineAsync("ERR_BURROW_2018", Wait);
    }

    [Fact(Timeout = 120_000)]
    public async Task Binds_racing_for_one_hostname_on_two_nodes_leave_exactly_one_owner()
    {
        string database = await postgres.CreateDatabaseAsync();
        await (await ControlStore.OpenAsync(new StoreOptions { Database = database, DataDirectory = Path.GetTempPath() })).DisposeAsync();
        await using RouteTable a = RouteTable.ForDatabase(database)!;
        await using RouteTable b = RouteTable.ForDatabase(database)!;
        for (int round = 0; round < 25; round++)
        {
            string key = string.Create(CultureInfo.InvariantCulture, $"race-{round}.localhost");
            RouteRow Row(string node) => new(key, node, "tun_" + node, "ses_" + node, "agent-" + node, "acc", "tok", "http", false, DateTimeOffset.UtcNow);
            var claims = await Task.WhenAll(
                Task.Run(() => a.ClaimAsync(Row("node-a"), TestContext.Current.CancellationToken)),
                Task.Run(() => b.ClaimAsync(Row("node-b"), TestContext.Current.CancellationToken)));
            Assert.Equal(1, claims.Count(c => c.Claim == RouteClaim.Claimed));
            Assert.Single(await a.LoadKeyAsync(key, TestContext.Current.CancellationToken));
        }

        // The same agent on a second node is a leg, and pooled binders may share a key; a non-pooled one may not join them.
        RouteRow leg1 = new("legs.localhost", "node-a", "tun_1", "ses_1", "agent-x", "acc", "tok", "http", false, DateTimeOffset.UtcNow);
        Assert.Equal(RouteClaim.Claimed, (await a.ClaimAsync(leg1, TestContext.Current.CancellationToken)).Claim);
        Assert.Equal(RouteClaim.Claimed, (await b.ClaimAsync(leg1 with { Node = "node-b", TunnelId = "tun_2", SessionId = "ses_2" }, TestContext.Current.CancellationToken)).Claim);
        RouteRow pooled = new("pool.localhost", "node-a", "tun_3", "ses_3", "agent-p", "acc", "tok", "http", true, DateTimeOffset.UtcNow);
        Assert.Equal(RouteClaim.Claimed, (await a.ClaimAsync(pooled, TestContext.Current.CancellationToken)).Claim);
        Assert.Equal(RouteClaim.Claimed, (await b.ClaimAsync(pooled with { Node = "node-b", TunnelId = "tun_4", AgentId = "agent-q" }, TestContext.Current.CancellationToken)).Claim);
        Assert.Equal(RouteClaim.Taken, (await b.ClaimAsync(pooled with { Node = "node-b", TunnelId = "tun_5", AgentId = "agent-r", Pooled = false }, TestContext.Current.CancellationToken)).Claim);
    }

    [Fact(Timeout = 180_000)]
    public async Task Revoking_a_token_on_one_node_closes_its_session_on_another_within_a_second()
    {
        // The periodic check is pushed out of the way: only the notification can close the session in time.
        await using var cluster = await ClusterNodes.StartAsync(postgres, 2, revocationCheck: TimeSpan.FromHours(1));
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([Port(upstream.Port), "--url", "revoked.localhost", .. cluster.AgentArgs(cluster[1])], state.Path, timeout: Wait);
        SessionRegistry sessionsOnB = cluster[1].Edge.Service<SessionRegistry>();
        Assert.Single(sessionsOnB.All);

        IControlStore store = cluster[0].Edge.Store!;
        Authtoken token = (await store.FindAuthtokenAsync(cluster.Token, TestContext.Current.CancellationToken))!;
        var watch = Stopwatch.StartNew();
        await store.RevokeAuthtokenAsync(token.Id, TestContext.Current.CancellationToken);
        while (sessionsOnB.All.Any(s => s.Link is not null))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "the session on node B is still open");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"closed after {watch.Elapsed}");
        await agent.Process.WaitForLineAsync("ERR_BURROW_1005", Wait);
        await cluster.WaitForRouteAsync("revoked.localhost", present: false);
    }

    [Fact(Timeout = 240_000)]
    public async Task A_node_cut_off_from_the_database_refuses_binds_keeps_serving_and_catches_up_on_reconnect()
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres, 2);
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([Port(upstream.Port), "--url", "kept.localhost", .. cluster.AgentArgs(cluster[0])], state.Path, timeout: Wait);
        await cluster.WaitForRouteAsync("kept.localhost");

        cluster[1].DatabaseRelay.Cut();
        await WaitUntilAsync(() => cluster[1].Routes.Unavailable is not null, "node B to notice the cut");
        string health = await cluster[1].HealthAsync();
        Assert.Contains("\"status\":\"degraded\"", health, StringComparison.Ordinal);
        Assert.Contains("ERR_BURROW_5320", health, StringComparison.Ordinal);

        // Known routes keep serving: B still carries requests to A.
        using (HttpResponseMessage served = await cluster[1].GetAsync("kept.localhost", "/hello"))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        // No new bind on B while it is cut off (the store refuses the agent first, or the routes refuse its bind).
        using var stateNew = new TempDirectory();
        await using (var refused = await AgentRun.StartAsync([Port(upstream.Port), "--url", "late.localhost", .. cluster.AgentArgs(cluster[1])], stateNew.Path, waitForUrl: false))
        {
            await refused.Process.WaitForLineAsync("ERR_BURROW_(5003|5320)", Wait);
        }

        // Meanwhile a tunnel bound on A: B misses the notification, and reloads it on reconnect.
        using var stateOther = new TempDirectory();
        await using var other = await AgentRun.StartAsync([Port(upstream.Port), "--url", "missed.localhost", .. cluster.AgentArgs(cluster[0])], stateOther.Path, timeout: Wait);
        Assert.Empty(cluster[1].Routes.Find("missed.localhost"));

        cluster[1].DatabaseRelay.Restore();
        await WaitUntilAsync(() => cluster[1].Routes.Unavailable is null, "node B to reconnect");
        await cluster.WaitForRouteAsync("missed.localhost");
        Assert.Contains("\"status\":\"ok\"", await cluster[1].HealthAsync(), StringComparison.Ordinal);
        using HttpResponseMessage caughtUp = await cluster[1].GetAsync("missed.localhost", "/hello");
        Assert.Equal(HttpStatusCode.OK, caughtUp.StatusCode);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"timed out waiting for {what}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}

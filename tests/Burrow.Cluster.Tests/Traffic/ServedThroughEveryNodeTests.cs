using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Burrow.Cluster.Tests.Harness;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Traffic;

/// <summary>
/// Three real <c>burrow server --node-name</c> processes and real agents bound on node A with one leg: HTTP,
/// WebSocket, TCP with half-close and TLS passthrough reach them through B and C; a second agent cannot take the
/// hostname through another node.
/// </summary>
[Collection(ClusterPostgres.Name)]
public sealed class ServedThroughEveryNodeTests(PostgresServer postgres)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> AgentEnvironment(TempDirectory state) =>
        new() { ["BURROW_STATE_DIR"] = state.Path, ["XDG_DATA_HOME"] = Path.Combine(state.Path, "data") };

    [Fact(Timeout = 300_000)]
    public async Task An_agent_on_a_is_served_through_b_and_c_over_http_websocket_tcp_and_tls()
    {
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres, "edge-a", "edge-b", "edge-c");
        ClusterNodeRun a = cluster.Nodes["edge-a"], b = cluster.Nodes["edge-b"], c = cluster.Nodes["edge-c"];
        await using Upstream upstream = await Upstream.StartAsync();
        await using TcpUpstream tcpUpstream = TcpUpstream.Start(TcpUpstream.Mode.HashAfterEof);
        using var httpState = new TempDirectory();
        using var tcpState = new TempDirectory();
        using var tlsState = new TempDirectory();

        await using AgentRun agent = await AgentRun.StartAsync(
            [upstream.Port.ToString(CultureInfo.InvariantCulture), "--url", "far.localhost", "--legs", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-a")],
            httpState.Path, timeout: Wait);
        Assert.Equal("far.localhost", agent.HttpsUrl.Host);

        // HTTP through B and C (routes reach the others by NOTIFY: poll until each answers), with the client's address.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        foreach (ClusterNodeRun node in new[] { b, c })
        {
            await EventuallyAsync(() => NodeHttp.GetStringAsync(client, node, "far.localhost", "/hello", Token), $"/hello through {node.Name}");
            string json = await NodeHttp.GetStringAsync(client, node, "far.localhost", "/headers", Token);
            var seen = JsonSerializer.Deserialize<Dictionary<string, string>>(json)!;
            // Every node listens on its own loopback address; the client connected from 127.0.0.1.
            Assert.Equal("127.0.0.1", seen["x-forwarded-for"]);
            Assert.Equal("far.localhost", seen["host"]);
            Assert.False(seen.ContainsKey("burrow-relayed-client"), json);
        }

        // A WebSocket upgraded through B and carried to A.
        using (var handler = NodeHttp.To(b, b.HttpPort))
        using (var invoker = new HttpMessageInvoker(handler))
        using (var ws = new ClientWebSocket())
        {
            await ws.ConnectAsync(new Uri("ws://far.localhost/ws"), invoker, Token);
            await ws.SendAsync("through b to a"u8.ToArray(), WebSocketMessageType.Text, true, Token);
            byte[] buffer = new byte[64];
            WebSocketReceiveResult received = await ws.ReceiveAsync(buffer, Token);
            Assert.Equal("through b to a", Encoding.UTF8.GetString(buffer, 0, received.Count));
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Token);
        }

        // TCP bound on A: B and C open the same port on their own addresses; the client's half-close crosses two nodes.
        await using TcpAgentRun tcp = await TcpAgentRun.StartAsync(
            [tcpUpstream.Port.ToString(CultureInfo.InvariantCulture), "--legs", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-a")], tcpState.Path);
        foreach (ClusterNodeRun node in new[] { b, c })
        {
            byte[] payload = RandomNumberGenerator.GetBytes(200_000);
            string answer = await EventuallyAsync(() => HashThroughAsync(node.Address, tcp.Port, payload), $"tcp through {node.Name}");
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(payload)), answer);
        }

        // TLS passthrough through B: the upstream's own certificate reaches the client.
        await using BurrowProcess tls = BurrowProcess.Start(
            ["tls", upstream.TlsPort.ToString(CultureInfo.InvariantCulture), "--url", "pass.localhost", "--legs", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-a")],
            AgentEnvironment(tlsState));
        await tls.WaitForLineAsync(@"^Forwarding (tls://\S+) -> ", Wait);
        string? thumbprint = null;
        using var tlsHandler = NodeHttp.To(b, b.HttpsPort);
        tlsHandler.SslOptions = new System.Net.Security.SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                thumbprint = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()).Thumbprint;
                return thumbprint == Upstream.TlsCertificate.Thumbprint;
            },
        };
        using var tlsClient = new HttpClient(tlsHandler) { Timeout = TimeSpan.FromSeconds(30) };
        string body = await EventuallyAsync(() => tlsClient.GetStringAsync(new Uri("https://pass.localhost/hello"), Token), "tls through edge-b");
        Assert.Equal("hello from upstream", body);
        Assert.Equal(Upstream.TlsCertificate.Thumbprint, thumbprint);
        _ = a;
    }

    [Fact(Timeout = 300_000)]
    public async Task A_second_agent_asking_for_the_hostname_through_another_node_is_refused_with_2001()
    {
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres, "edge-a", "edge-b");
        await using Upstream upstream = await Upstream.StartAsync();
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        await using AgentRun owner = await AgentRun.StartAsync(
            [upstream.Port.ToString(CultureInfo.InvariantCulture), "--url", "taken.localhost", "--legs", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-a")],
            first.Path, timeout: Wait);

        // Another agent (its own state directory, so its own agent id) through B: refused, and it says why.
        await using AgentRun intruder = await AgentRun.StartAsync(
            [upstream.Port.ToString(CultureInfo.InvariantCulture), "--url", "taken.localhost", "--legs", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-b")],
            second.Path, waitForUrl: false);
        await intruder.Process.WaitForLineAsync("ERR_BURROW_2001", Wait);
        Assert.DoesNotContain("Forwarding", intruder.Process.Output, StringComparison.Ordinal);

        // The owner still serves through B.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal("hello from upstream", await EventuallyAsync(() => NodeHttp.GetStringAsync(client, cluster.Nodes["edge-b"], "taken.localhost", "/hello", Token), "/hello through edge-b"));
    }

    /// <summary>
    /// Sends <paramref name="payload"/> to a TCP tunnel's port (from <paramref name="from"/> when given), half-closes, and
    /// reads the upstream's SHA-256 of it (hex).
    /// </summary>
    internal static async Task<string> HashThroughAsync(IPAddress address, int port, byte[] payload, IPAddress? from = null)
    {
        using var socket = new TcpClient(new IPEndPoint(from ?? IPAddress.Any, 0));
        await socket.ConnectAsync(address, port, Token);
        NetworkStream stream = socket.GetStream();
        await stream.WriteAsync(payload, Token);
        socket.Client.Shutdown(SocketShutdown.Send);
        using var reader = new StreamReader(stream);
        string answer = await reader.ReadToEndAsync(Token).WaitAsync(TimeSpan.FromSeconds(30), Token);
        return answer.Length == 64 ? answer : throw new IOException($"answer '{answer}' through {address}:{port}");
    }

    /// <summary>Retries <paramref name="attempt"/> until it succeeds (a route takes a moment to reach the other nodes), for at most a minute.</summary>
    internal static async Task<T> EventuallyAsync<T>(Func<Task<T>> attempt, string what)
    {
        DateTime deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (Exception e) when (e is HttpRequestException or IOException or SocketException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250, Token);
            }
        }
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Burrow.Mux.Muxado;

namespace Burrow.Edge.Tests.Ngrok;

/// <summary>
/// The edge's side of ngrok's agent protocol, driven by a hand-written client over real TLS on the agent port:
/// the typed streams, the RPC framing, and what a hostile or broken client meets (the real clients are in the
/// end-to-end tests).
/// </summary>
public sealed class NgrokClientTests : IAsyncLifetime
{
    private const string Token = "brw_ngrok_client_tests";
    private readonly string _dataDir = Directory.CreateTempSubdirectory("burrow-ngrok-client-").FullName;
    private EdgeServer _edge = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _edge = EdgeServer.Create(new EdgeOptions
        {
            Domain = "tunnel.test",
            AgentEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            HttpsEndPoint = null,
            HttpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            HealthEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            AdminEndPoint = null,
            DataDirectory = _dataDir,
            UseControlStore = false,
            DrainTimeout = TimeSpan.FromSeconds(1),
            Authtokens = [Token],
        });
        await _edge.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _edge.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Heartbeats_are_echoed_from_the_first_byte_before_any_auth()
    {
        await using MuxadoSession client = await ConnectAsync();
        await using MuxadoStream beat = await client.OpenStreamAsync(Ct);
        await beat.WriteAsync(Typed(0xFFFFFFFF, [9, 8, 7, 6]), Ct);
        byte[] echo = new byte[4];
        await beat.ReadExactlyAsync(echo, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(new byte[] { 9, 8, 7, 6 }, echo);
    }

    [Fact]
    public async Task Auth_with_either_spelling_of_the_token_is_answered_with_a_client_id_and_a_bad_one_with_ngroks_code()
    {
        await using (MuxadoSession sdk = await ConnectAsync())
        {
            JsonElement ok = await RpcAsync(sdk, 0, $$$"""{"Version":["3","2"],"ClientId":"","Extra":{"AuthToken":"{{{Token}}}","ClientType":"test-sdk","Version":"9.9"}}""");
            Assert.Equal("", ok.GetProperty("Error").GetString());
            Assert.Equal("3", ok.GetProperty("Version").GetString());
            Assert.StartsWith("ses_", ok.GetProperty("ClientId").GetString(), StringComparison.Ordinal);
        }

        await using (MuxadoSession agent = await ConnectAsync())
        {
            // The Go agent writes "Authtoken" and ends its request with a newline.
            JsonElement ok = await RpcAsync(agent, 0, $$$"""{"Version":["2"],"ClientId":"","Extra":{"Authtoken":"{{{Token}}}","UserAgent":"ngrok/2"}}""" + "\n");
            Assert.Equal("", ok.GetProperty("Error").GetString());
            Assert.Equal("2", ok.GetProperty("Version").GetString());
        }

        await using MuxadoSession refused = await ConnectAsync();
        JsonElement error = await RpcAsync(refused, 0, """{"Version":["3"],"ClientId":"","Extra":{"AuthToken":"brw_wrong"}}""");
        string text = error.GetProperty("Error").GetString()!;
        Assert.StartsWith("ERR_BURROW_1002: The authtoken is not valid.", text, StringComparison.Ordinal);
        Assert.EndsWith("\n\nERR_NGROK_105", text, StringComparison.Ordinal);
        // Then the edge goes away: Go Away, and the connection ends.
        await refused.Completion.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task Bind_before_auth_is_answered_with_an_error_and_an_option_the_edge_does_not_serve_is_refused_by_name()
    {
        await using MuxadoSession client = await ConnectAsync();
        JsonElement early = await RpcAsync(client, 1, """{"Id":"","Proto":"https","Opts":{"Hostname":""},"Extra":{"Token":""}}""");
        Assert.Contains("ERR_BURROW_4003", early.GetProperty("Error").GetString(), StringComparison.Ordinal);
        Assert.Equal("", early.GetProperty("URL").GetString());

        await AuthAsync(client);
        JsonElement oauth = await RpcAsync(client, 1, """{"Id":"","Proto":"https","Opts":{"OAuth":{"Provider":"google"}},"Extra":{"Token":""}}""");
        Assert.Contains("OAuth", oauth.GetProperty("Error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_that_never_ends_an_unknown_stream_type_and_a_second_auth_are_reset_and_the_session_goes_on()
    {
        await using MuxadoSession client = await ConnectAsync();
        await AuthAsync(client);

        // JSON that opens and never closes, past the 256 KiB limit: the stream is reset, not buffered forever.
        await using (MuxadoStream endless = await client.OpenStreamAsync(Ct))
        {
            await endless.WriteAsync(Typed(1, Encoding.ASCII.GetBytes("{\"Id\":\"" + new string('a', 300 * 1024))), Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
            await Assert.ThrowsAsync<MuxadoException>(() => endless.ReadAsync(new byte[16], Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct));
        }

        await using (MuxadoStream unknown = await client.OpenStreamAsync(Ct))
        {
            await unknown.WriteAsync(Typed(77, "{}"u8.ToArray()), Ct);
            await Assert.ThrowsAsync<MuxadoException>(() => unknown.ReadAsync(new byte[16], Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct));
        }

        await using (MuxadoStream again = await client.OpenStreamAsync(Ct))
        {
            await again.WriteAsync(Typed(0, Encoding.UTF8.GetBytes($$$"""{"Version":["3"],"Extra":{"AuthToken":"{{{Token}}}"}}""")), Ct);
            await Assert.ThrowsAsync<MuxadoException>(() => again.ReadAsync(new byte[16], Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct));
        }

        JsonElement bound = await RpcAsync(client, 1, """{"Id":"","Proto":"https","Opts":{"Subdomain":"still-here"},"Extra":{"Token":""}}""");
        Assert.Equal("", bound.GetProperty("Error").GetString());
        Assert.Contains("://still-here.tunnel.test", bound.GetProperty("URL").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proxy_streams_carry_ngroks_header_and_a_reset_one_gives_the_public_client_a_502_while_the_next_is_served()
    {
        await using MuxadoSession client = await ConnectAsync();
        await AuthAsync(client);
        JsonElement bound = await RpcAsync(client, 1, """{"Id":"","Proto":"http","Opts":{"Subdomain":"proxied"},"Extra":{"Token":""}}""");
        string id = bound.GetProperty("Id").GetString()!;
        Assert.Equal("http://proxied.tunnel.test:" + _edge.Endpoints.Http!.Port, bound.GetProperty("URL").GetString());
        Assert.NotEqual("", bound.GetProperty("Extra").GetProperty("Token").GetString());

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        Task<HttpResponseMessage> first = http.SendAsync(Request(), Ct);
        await using (MuxadoStream proxy = await client.AcceptStreamAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct))
        {
            JsonElement header = await ReadProxyHeaderAsync(proxy);
            Assert.Equal(id, header.GetProperty("Id").GetString());
            Assert.Equal("http", header.GetProperty("Proto").GetString());
            Assert.Equal("", header.GetProperty("EdgeType").GetString());
            Assert.False(header.GetProperty("PassthroughTLS").GetBoolean());
            Assert.StartsWith("127.0.0.1:", header.GetProperty("ClientAddr").GetString(), StringComparison.Ordinal);
            proxy.Abort();
        }

        using (HttpResponseMessage failed = await first)
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        Task<HttpResponseMessage> second = http.SendAsync(Request(), Ct);
        await using (MuxadoStream proxy = await client.AcceptStreamAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct))
        {
            await ReadProxyHeaderAsync(proxy);
            await ReadRequestHeadAsync(proxy);
            await proxy.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"u8.ToArray(), Ct);
            proxy.CompleteWrites();
            using HttpResponseMessage served = await second;
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Equal("hello", await served.Content.ReadAsStringAsync(Ct));
        }

        HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_edge.Endpoints.Http!.Port}/x");
            request.Headers.Host = "proxied.tunnel.test";
            return request;
        }
    }

    [Fact]
    public async Task A_bind_token_from_this_edge_gives_the_same_id_and_url_to_a_new_session_and_a_forged_one_claims_nothing()
    {
        await using MuxadoSession first = await ConnectAsync();
        await AuthAsync(first);
        JsonElement bound = await RpcAsync(first, 1, """{"Id":"","Proto":"https","Opts":{},"Extra":{"Token":""}}""");
        (string id, string url, string token) = (bound.GetProperty("Id").GetString()!, bound.GetProperty("URL").GetString()!, bound.GetProperty("Extra").GetProperty("Token").GetString()!);

        // While the first session holds the name, a forged token (its signature changed) gets a new name and id.
        await using MuxadoSession second = await ConnectAsync();
        await AuthAsync(second);
        string forged = token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA");
        JsonElement forgedBind = await RpcAsync(second, 1, $$$"""{"Id":"{{{id}}}","Proto":"https","Opts":{},"Extra":{"Token":"{{{forged}}}"}}""");
        Assert.Equal("", forgedBind.GetProperty("Error").GetString());
        Assert.NotEqual(url, forgedBind.GetProperty("URL").GetString());
        Assert.NotEqual(id, forgedBind.GetProperty("Id").GetString());

        // Released (as after an edge restart, when nothing is held), the real token gets the same id and URL back.
        JsonElement unbound = await RpcAsync(first, 2, $$$"""{"Id":"{{{id}}}"}""");
        Assert.Equal("", unbound.GetProperty("Error").GetString());
        JsonElement again = await RpcAsync(second, 1, $$$"""{"Id":"{{{id}}}","Proto":"https","Opts":{},"Extra":{"Token":"{{{token}}}"}}""");
        Assert.Equal("", again.GetProperty("Error").GetString());
        Assert.Equal(url, again.GetProperty("URL").GetString());
        Assert.Equal(id, again.GetProperty("Id").GetString());
    }

    [Fact]
    public async Task A_client_that_stops_beating_is_closed_and_leaves_no_connection_or_stream_behind()
    {
        await using MuxadoSession silent = await ConnectAsync();
        // It promises a beat every 100 ms with 100 ms of tolerance, then never beats: the edge waits its 5 s floor.
        JsonElement answer = await RpcAsync(silent, 0,
            $$$"""{"Version":["3"],"ClientId":"","Extra":{"AuthToken":"{{{Token}}}","HeartbeatInterval":100000000,"HeartbeatTolerance":100000000}}""");
        Assert.Equal("", answer.GetProperty("Error").GetString());
        Assert.Equal("", (await RpcAsync(silent, 1, """{"Id":"","Proto":"http","Opts":{},"Extra":{"Token":""}}""")).GetProperty("Error").GetString());

        await silent.Completion.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        using var health = new HttpClient { BaseAddress = new Uri($"http://{_edge.Endpoints.Health}/"), Timeout = TimeSpan.FromSeconds(10) };
        JsonElement state = default;
        for (int i = 0; i < 100; i++)
        {
            using var doc = JsonDocument.Parse(await health.GetStringAsync(new Uri("healthz", UriKind.Relative), Ct));
            state = doc.RootElement.Clone();
            if (state.GetProperty("sessions_online").GetInt32() == 0 && state.GetProperty("agent_connections").GetInt32() == 0)
            {
                break;
            }

            await Task.Delay(50, Ct);
        }

        Assert.Equal(0, state.GetProperty("sessions_online").GetInt32());
        Assert.Equal(0, state.GetProperty("agent_connections").GetInt32());
        Assert.Equal(0, state.GetProperty("mux_streams").GetInt32());
    }

    private async Task<MuxadoSession> ConnectAsync()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_edge.Endpoints.Agents!, Ct);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        // No ALPN, as ngrok's clients: that is what sends the connection to the ngrok handler.
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "tunnel.test",
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { _edge.LocalCaCertificate! },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        }, Ct);
        return MuxadoSession.Client(tls);
    }

    private static async Task AuthAsync(MuxadoSession client)
    {
        JsonElement answer = await RpcAsync(client, 0, $$$"""{"Version":["3"],"ClientId":"","Extra":{"AuthToken":"{{{Token}}}"}}""");
        Assert.Equal("", answer.GetProperty("Error").GetString());
    }

    /// <summary>One RPC as the clients make it: type, raw JSON with no length and no half-close; the answer ends with FIN.</summary>
    private static async Task<JsonElement> RpcAsync(MuxadoSession client, uint type, string json)
    {
        await using MuxadoStream stream = await client.OpenStreamAsync(Ct);
        await stream.WriteAsync(Typed(type, Encoding.UTF8.GetBytes(json)), Ct);
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer, Ct).WaitAsync(TimeSpan.FromSeconds(15), Ct);
        using var doc = JsonDocument.Parse(answer.ToArray());
        return doc.RootElement.Clone();
    }

    private static byte[] Typed(uint type, byte[] payload)
    {
        byte[] bytes = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, type);
        payload.CopyTo(bytes, 4);
        return bytes;
    }

    private static async Task<JsonElement> ReadProxyHeaderAsync(MuxadoStream proxy)
    {
        byte[] start = new byte[12];
        await proxy.ReadExactlyAsync(start, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32BigEndian(start));
        long length = BinaryPrimitives.ReadInt64LittleEndian(start.AsSpan(4));
        Assert.InRange(length, 2, 4096);
        byte[] json = new byte[length];
        await proxy.ReadExactlyAsync(json, Ct);
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static async Task ReadRequestHeadAsync(MuxadoStream proxy)
    {
        var head = new List<byte>();
        byte[] one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            Assert.Equal(1, await proxy.ReadAsync(one, Ct));
            head.Add(one[0]);
        }
    }
}

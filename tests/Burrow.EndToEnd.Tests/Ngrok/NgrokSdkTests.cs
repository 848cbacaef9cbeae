using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Ngrok;

/// <summary>
/// ngrok's own Node SDK (<c>@ngrok/ngrok</c> from npm, its native addon is ngrok-rust) against a real
/// <c>burrow server</c>, changing only <c>server_addr</c> and <c>root_cas</c>: what a user of the SDK
/// meets when pointing it at a Burrow edge.
/// </summary>
public sealed class NgrokSdkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 120_000)]
    public async Task Http_forward_serves_a_get_a_64_MiB_upload_and_a_websocket()
    {
        await using var edge = await EdgeRun.StartAsync();
        await using var upstream = await Upstream.StartAsync();
        await using var forward = await NgrokSdkForward.OnlineAsync(NgrokClients.SdkOptions(edge, upstream.Port));

        var url = new Uri(forward.Url);
        Assert.Equal("https", url.Scheme);
        Assert.StartsWith("tun_", forward.Id, StringComparison.Ordinal);
        using var client = Clients.Create(edge.CaPath);
        Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello"), Ct));

        byte[] body = new byte[64 << 20];
        Upstream.Fill(body, 0);
        using var upload = new ByteArrayContent(body);
        upload.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using HttpResponseMessage uploaded = await client.PostAsync(new Uri(url, "/echo-hash"), upload, Ct);
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(body)), await uploaded.Content.ReadAsStringAsync(Ct), StringComparison.OrdinalIgnoreCase);

        using var socket = new ClientWebSocket();
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            ConnectCallback = Clients.ConnectLoopbackAsync,
            SslOptions = Clients.TrustingOptions(edge.CaPath),
        });
        await socket.ConnectAsync(new UriBuilder(url) { Scheme = "wss", Path = "/ws" }.Uri, invoker, Ct);
        byte[] message = Encoding.UTF8.GetBytes("through ngrok's own SDK");
        await socket.SendAsync(message, WebSocketMessageType.Text, true, Ct);
        byte[] received = new byte[256];
        ValueWebSocketReceiveResult result = await socket.ReceiveAsync(received.AsMemory(), Ct);
        Assert.Equal(message, received[..result.Count]);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Ct);
    }

    [Fact(Timeout = 60_000)]
    public async Task Tcp_forward_carries_a_stream_both_ways_with_half_close()
    {
        await using var edge = await EdgeRun.StartAsync();
        await using var upstream = TcpUpstream.Start(TcpUpstream.Mode.HashAfterEof);
        var options = NgrokClients.SdkOptions(edge, upstream.Port);
        options["proto"] = "tcp";
        await using var forward = await NgrokSdkForward.OnlineAsync(options);

        var url = new Uri(forward.Url);
        Assert.Equal("tcp", url.Scheme);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, url.Port, Ct);
        using var stream = new NetworkStream(socket);
        byte[] data = RandomNumberGenerator.GetBytes(3 << 20);
        await stream.WriteAsync(data, Ct);
        socket.Shutdown(SocketShutdown.Send);
        using var reader = new StreamReader(stream);
        string answer = await reader.ReadToEndAsync(Ct);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), answer.Trim(), ignoreCase: true);
    }

    [Fact(Timeout = 60_000)]
    public async Task Tcp_forward_with_proxy_proto_gets_the_clients_address_in_a_proxy_header_first()
    {
        await using var edge = await EdgeRun.StartAsync();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var options = NgrokClients.SdkOptions(edge, ((IPEndPoint)listener.LocalEndpoint).Port);
        options["proto"] = "tcp";
        options["proxy_proto"] = "1";
        await using var forward = await NgrokSdkForward.OnlineAsync(options);

        var url = new Uri(forward.Url);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, url.Port, Ct);
        await client.GetStream().WriteAsync("after the header"u8.ToArray(), Ct);
        using TcpClient upstream = await listener.AcceptTcpClientAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(20), Ct);
        byte[] expected = Encoding.ASCII.GetBytes($"PROXY TCP4 127.0.0.1 127.0.0.1 {((IPEndPoint)client.Client.LocalEndPoint!).Port} {url.Port}\r\nafter the header");
        byte[] received = new byte[expected.Length];
        await upstream.GetStream().ReadExactlyAsync(received, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.Equal(Encoding.ASCII.GetString(expected), Encoding.ASCII.GetString(received));
    }

    [Fact(Timeout = 60_000)]
    public async Task Tls_forward_passes_the_clients_tls_through_to_the_upstream()
    {
        await using var edge = await EdgeRun.StartAsync();
        await using var upstream = await Upstream.StartAsync();
        var options = NgrokClients.SdkOptions(edge, $"127.0.0.1:{upstream.TlsPort.ToString(CultureInfo.InvariantCulture)}");
        options["proto"] = "tls";
        await using var forward = await NgrokSdkForward.OnlineAsync(options);

        var url = new Uri(forward.Url);
        Assert.Equal("tls", url.Scheme);
        // The edge only routes by SNI: the certificate that answers is the upstream's own, and only it is trusted here.
        string upstreamThumbprint = Upstream.TlsCertificate.Thumbprint;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = Clients.ConnectLoopbackAsync,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == upstreamThumbprint,
            },
        });
        string answer = await client.GetStringAsync(new Uri($"https://{url.Host}:{url.Port.ToString(CultureInfo.InvariantCulture)}/hello"), Ct);
        Assert.Equal("hello from upstream", answer);
    }

    [Fact(Timeout = 60_000)]
    public async Task Basic_auth_is_enforced_at_the_edge()
    {
        await using var edge = await EdgeRun.StartAsync();
        await using var upstream = await Upstream.StartAsync();
        var options = NgrokClients.SdkOptions(edge, upstream.Port);
        options["basic_auth"] = new[] { "ada:correct-horse-battery" };
        await using var forward = await NgrokSdkForward.OnlineAsync(options);

        using var client = Clients.Create(edge.CaPath);
        using HttpResponseMessage refused = await client.GetAsync(new Uri(new Uri(forward.Url), "/hello"), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(forward.Url), "/hello"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("ada:correct-horse-battery")));
        using HttpResponseMessage allowed = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_traffic_policy_given_to_forward_is_run_by_the_edge()
    {
        await using var edge = await EdgeRun.StartAsync();
        await using var upstream = await Upstream.StartAsync();
        var options = NgrokClients.SdkOptions(edge, upstream.Port);
        // The SDK's traffic_policy travels in the Bind's TrafficPolicy; the edge compiles and runs it like a Burrow agent's.
        options["traffic_policy"] = """
            on_http_request:
              - expressions: ["req.url.path.startsWith('/admin')"]
                actions:
                  - type: custom-response
                    config: {status_code: 418, content: "no admin here"}
              - actions:
                  - type: add-headers
                    config: {headers: {x-policy: "ran for ${req.url.path}"}}
            """;
        await using var forward = await NgrokSdkForward.OnlineAsync(options);

        using var client = Clients.Create(edge.CaPath);
        using HttpResponseMessage refused = await client.GetAsync(new Uri(new Uri(forward.Url), "/admin/users"), Ct);
        Assert.Equal((HttpStatusCode)418, refused.StatusCode);
        Assert.Equal("no admin here", await refused.Content.ReadAsStringAsync(Ct));

        using HttpResponseMessage passed = await client.GetAsync(new Uri(new Uri(forward.Url), "/headers"), Ct);
        JsonElement headers = JsonDocument.Parse(await passed.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("ran for /headers", headers.GetProperty("x-policy").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task Header_rules_and_ip_restrictions_are_enforced_at_the_edge()
    {
        await using var edge = await EdgeRun.StartAsync();
        await using var upstream = await Upstream.StartAsync();
        var options = NgrokClients.SdkOptions(edge, upstream.Port);
        options["request_header_add"] = new[] { "X-Added-By-Edge:yes" };
        options["request_header_remove"] = new[] { "X-Client-Secret" };
        options["response_header_remove"] = new[] { "X-Upstream-Secret" };
        options["response_header_add"] = new[] { "X-Served-By:burrow" };
        options["ip_restriction_allow_cidrs"] = new[] { "127.0.0.0/8" };
        await using var allowed = await NgrokSdkForward.OnlineAsync(options);
        var denyOptions = NgrokClients.SdkOptions(edge, upstream.Port);
        denyOptions["ip_restriction_deny_cidrs"] = new[] { "127.0.0.0/8" };
        await using var denied = await NgrokSdkForward.OnlineAsync(denyOptions);

        using var client = Clients.Create(edge.CaPath);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(allowed.Url), "/headers"));
        request.Headers.Add("X-Client-Secret", "do-not-forward");
        using HttpResponseMessage seen = await client.SendAsync(request, Ct);
        JsonElement headers = JsonDocument.Parse(await seen.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("yes", headers.GetProperty("x-added-by-edge").GetString());
        Assert.False(headers.TryGetProperty("x-client-secret", out _));
        using HttpResponseMessage answered = await client.GetAsync(new Uri(new Uri(allowed.Url), "/set-headers"), Ct);
        Assert.False(answered.Headers.Contains("X-Upstream-Secret"));
        Assert.Equal("burrow", Assert.Single(answered.Headers.GetValues("X-Served-By")));

        using HttpResponseMessage refused = await client.GetAsync(new Uri(new Uri(denied.Url), "/hello"), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bad_authtoken_is_refused_with_ngroks_code_and_burrows()
    {
        await using var edge = await EdgeRun.StartAsync();
        var (forward, outcome) = await NgrokSdkForward.StartAsync(NgrokClients.SdkOptions(edge, 9, authtoken: "brw_not_the_token"));
        await using (forward)
        {
            Assert.Equal("error", outcome.GetProperty("event").GetString());
            Assert.Equal("ERR_NGROK_105", outcome.GetProperty("errorCode").GetString());
            Assert.Contains("ERR_BURROW_1002", outcome.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task A_revoked_token_closes_the_sdks_session_and_frees_its_url()
    {
        await using var edge = await EdgeRun.StartAsync(token: null);
        await using var upstream = await Upstream.StartAsync();
        AdminCli.Result created = await AdminCli.RunAsync(edge, "token", "create", "--name", "sdk", "--json");
        Assert.True(created.ExitCode == 0, created.Output);
        string tokenId = created.Json.GetProperty("authtoken").GetProperty("id").GetString()!;
        await using var forward = await NgrokSdkForward.OnlineAsync(NgrokClients.SdkOptions(edge, upstream.Port, authtoken: created.Json.GetProperty("token").GetString()));
        using var client = Clients.Create(edge.CaPath);
        var url = new Uri(forward.Url);
        Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello"), Ct));

        Assert.Equal(0, (await AdminCli.RunAsync(edge, "token", "revoke", tokenId)).ExitCode);

        HttpStatusCode status = HttpStatusCode.OK;
        for (int attempt = 0; attempt < 100 && status == HttpStatusCode.OK; attempt++)
        {
            using HttpResponseMessage response = await client.GetAsync(new Uri(url, "/hello"), Ct);
            status = response.StatusCode;
            if (status == HttpStatusCode.OK)
            {
                await Task.Delay(100, Ct);
            }
        }

        Assert.Equal(HttpStatusCode.NotFound, status);
        // The audit trail is written in batches: the closing is there within a moment.
        string details = "";
        for (int attempt = 0; attempt < 50 && !details.Contains("ERR_BURROW_1005", StringComparison.Ordinal); attempt++)
        {
            details = string.Join('\n', (await AdminCli.RunAsync(edge, "audit", "--kind", "session.closed", "--json")).Json.EnumerateArray()
                .Select(e => e.GetProperty("detail").GetString()));
            if (!details.Contains("ERR_BURROW_1005", StringComparison.Ordinal))
            {
                await Task.Delay(100, Ct);
            }
        }

        Assert.Contains("ERR_BURROW_1005", details, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_option_the_edge_does_not_serve_is_refused_by_name()
    {
        await using var edge = await EdgeRun.StartAsync();
        var options = NgrokClients.SdkOptions(edge, 9);
        options["oauth_provider"] = "google";
        var (forward, outcome) = await NgrokSdkForward.StartAsync(options);
        await using (forward)
        {
            Assert.Equal("error", outcome.GetProperty("event").GetString());
            Assert.Contains("OAuth", outcome.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Listener_close_unbinds_the_url_and_the_session_is_listed()
    {
        await using var edge = await EdgeRun.StartAsync();
        await using var upstream = await Upstream.StartAsync();
        await using var forward = await NgrokSdkForward.OnlineAsync(NgrokClients.SdkOptions(edge, upstream.Port));
        var url = new Uri(forward.Url);
        using var client = Clients.Create(edge.CaPath);
        Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello"), Ct));

        JsonElement session = Assert.Single((await AdminCli.RunAsync(edge, "sessions", "list", "--json")).Json.EnumerateArray());
        Assert.Equal("ngrok-javascript", session.GetProperty("agent_name").GetString());
        Assert.Equal("1.7.0", session.GetProperty("agent_version").GetString());
        Assert.True(session.GetProperty("connected").GetBoolean());
        JsonElement tunnel = Assert.Single((await AdminCli.RunAsync(edge, "tunnels", "list", "--json")).Json.EnumerateArray());
        Assert.Equal(session.GetProperty("id").GetString(), tunnel.GetProperty("session_id").GetString());
        Assert.Equal(forward.Id, tunnel.GetProperty("id").GetString());

        await forward.CloseListenerAsync();
        using HttpResponseMessage gone = await client.GetAsync(new Uri(url, "/hello"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task Edge_killed_and_restarted_the_sdk_serves_again_with_the_same_url()
    {
        await using var upstream = await Upstream.StartAsync();
        using var data = new TempDirectory();
        string agentAddr = $"127.0.0.1:{FreePort.Loopback()}", httpsAddr = $"127.0.0.1:{FreePort.Loopback()}", httpAddr = $"127.0.0.1:{FreePort.Loopback()}";
        var edge = await EdgeRun.StartAsync(data.Path, agentAddr: agentAddr, httpsAddr: httpsAddr, httpAddr: httpAddr);
        await using var forward = await NgrokSdkForward.OnlineAsync(NgrokClients.SdkOptions(edge, upstream.Port));
        var url = new Uri(forward.Url);
        using var client = Clients.Create(edge.CaPath, timeout: TimeSpan.FromSeconds(5));
        Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello"), Ct));

        edge.Process.Kill();
        await edge.DisposeAsync();
        // The SDK retries after 50 ms and then 2.5 s: the edge must be back before the second try.
        await using var restarted = await EdgeRun.StartAsync(data.Path, agentAddr: agentAddr, httpsAddr: httpsAddr, httpAddr: httpAddr);

        HttpStatusCode last = 0;
        for (int attempt = 0; attempt < 60 && last != HttpStatusCode.OK; attempt++)
        {
            try
            {
                using HttpResponseMessage response = await client.GetAsync(new Uri(url, "/hello"), Ct);
                last = response.StatusCode;
            }
            catch (HttpRequestException)
            {
                last = 0;
            }

            if (last != HttpStatusCode.OK)
            {
                await Task.Delay(250, Ct);
            }
        }

        Assert.True(last == HttpStatusCode.OK, $"the SDK's tunnel did not serve {url} again after the edge restarted (last status {last}):\n{forward.Diagnostics()}\n{restarted.Process.Output}");
    }
}

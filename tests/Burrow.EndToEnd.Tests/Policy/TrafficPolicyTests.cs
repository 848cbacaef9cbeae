using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Policy;

/// <summary>
/// <c>burrow http --traffic-policy-file</c>: the edge compiles the document at bind time and runs its rules on every
/// request, with the real executable, a real upstream and curl or HttpClient as the public client.
/// </summary>
public sealed class TrafficPolicyTests(TunnelFixture fixture) : IClassFixture<TunnelFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("burrow-policy-").FullName;

    private string Port => fixture.Upstream.Port.ToString(CultureInfo.InvariantCulture);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string yaml)
    {
        string path = Path.Combine(_dir, $"policy-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact(Timeout = 60_000)]
    public async Task Rules_with_expressions_deny_answer_redirect_rewrite_and_add_headers_with_interpolation()
    {
        string policy = Write("""
            on_http_request:
              - name: no-admin
                expressions: ["req.url.path.startsWith('/admin')"]
                actions:
                  - type: deny
                    config: {status_code: 404}
              - expressions: ["req.method == 'GET'", "req.url.path == '/teapot'"]
                actions:
                  - type: custom-response
                    config:
                      status_code: 418
                      body: "short and stout, ${req.url.query_params['who'][0]}"
                      headers: {x-policy: "yes"}
              - actions:
                  - type: set-vars
                    config:
                      vars: [{client: "${conn.client_ip}"}]
                  - type: add-headers
                    config:
                      headers: {x-client: "${vars.client}", x-method: "${req.method}"}
              - expressions: ["req.url.path == '/old'"]
                actions:
                  - type: redirect
                    config: {to: "https://example.com/new", status_code: 301}
              - expressions: ["req.url.path.startsWith('/v1/')"]
                actions:
                  - type: url-rewrite
                    config: {from: "/v1/(.*)$", to: "/$1"}
              - actions:
                  - type: redirect
                    config: {from: "^https://([^/]+)/docs/([a-z]+)/([^?]*)", to: "https://docs.example.com/$2/$3?via=$1&m=${req.method}", status_code: 308}
            on_http_response:
              - expressions: ["res.status_code == 200"]
                actions:
                  - type: add-headers
                    config: {headers: {x-was: "${string(res.status_code)}"}}
            """);
        await using var agent = await fixture.StartAgentAsync([Port, "--traffic-policy-file", policy]);

        using (var admin = await fixture.Client.GetAsync(new Uri(agent.HttpsUrl, "/admin/users"), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, admin.StatusCode);
            Assert.Equal("ERR_BURROW_3101", admin.Headers.GetValues("Burrow-Error-Code").Single());
            Assert.Contains("no-admin", await admin.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        using (var teapot = await fixture.Client.GetAsync(new Uri(agent.HttpsUrl, "/teapot?who=me"), Ct))
        {
            Assert.Equal((HttpStatusCode)418, teapot.StatusCode);
            Assert.Equal("short and stout, me", await teapot.Content.ReadAsStringAsync(Ct));
            Assert.Equal("yes", teapot.Headers.GetValues("x-policy").Single());
        }

        using (var headers = await fixture.Client.GetAsync(new Uri(agent.HttpsUrl, "/headers"), Ct))
        {
            Dictionary<string, string> seen = await Http.ErrorPageTests.ReadHeadersAsync(headers);
            Assert.Equal("127.0.0.1", seen["x-client"]);
            Assert.Equal("GET", seen["x-method"]);
            Assert.Equal("200", headers.Headers.GetValues("x-was").Single());
        }

        using (var old = await fixture.Client.GetAsync(new Uri(agent.HttpsUrl, "/old"), Ct))
        {
            Assert.Equal(HttpStatusCode.MovedPermanently, old.StatusCode);
            Assert.Equal("https://example.com/new", old.Headers.Location!.ToString());
        }

        var (exit, stdout, stderr) = await Curl.RunAsync(["--cacert", fixture.Edge.CaPath, new Uri(agent.HttpsUrl, "/v1/hello").ToString()]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from upstream", stdout);

        // redirect with from: the groups of a regex over the whole URL land in to as $1..., next to interpolation;
        // a URL it does not match goes on to the upstream.
        CurlReply moved = await CurlReply.RunAsync(fixture.Edge.CaPath, ["-X", "PUT", new Uri(agent.HttpsUrl, "/docs/guide/start/here.html").ToString()]);
        Assert.Equal(308, moved.Status);
        Assert.Equal($"https://docs.example.com/guide/start/here.html?via={agent.HttpsUrl.Authority}&m=PUT", moved.Headers["Location"]);
        CurlReply unmatched = await CurlReply.RunAsync(fixture.Edge.CaPath, [new Uri(agent.HttpsUrl, "/docs/").ToString()]);
        Assert.Equal(404, unmatched.Status);
        Assert.False(unmatched.Headers.ContainsKey("Location"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Rate_limit_answers_429_with_retry_after_past_the_capacity_per_bucket()
    {
        string policy = Write("""
            on_http_request:
              - actions:
                  - type: rate-limit
                    config:
                      name: per-key
                      algorithm: sliding_window
                      capacity: 3
                      rate: 60s
                      bucket_key: ["getReqHeader('x-key')"]
            """);
        await using var agent = await fixture.StartAgentAsync([Port, "--traffic-policy-file", policy]);
        var url = new Uri(agent.HttpsUrl, "/hello");

        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage ok = await SendAsync(url, "a");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using HttpResponseMessage limited = await SendAsync(url, "a");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("ERR_BURROW_3102", limited.Headers.GetValues("Burrow-Error-Code").Single());
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);

        // Another bucket is not affected.
        using HttpResponseMessage other = await SendAsync(url, "b");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task On_tcp_connect_of_an_http_tunnel_runs_once_per_connection_and_its_vars_reach_every_request()
    {
        // The phase stamps the moment it ran: every request of one connection carries the same stamp (it ran once,
        // as ngrok runs it, and its vars reach each request), a new connection gets its own.
        string policy = Write("""
            on_tcp_connect:
              - actions:
                  - type: set-vars
                    config:
                      vars: [{connected_at: "${string(time.now)}"}]
            on_http_request:
              - actions:
                  - type: add-headers
                    config: {headers: {x-connected-at: "${vars.connected_at}"}}
            """);
        await using var agent = await fixture.StartAgentAsync([Port, "--traffic-policy-file", policy]);
        var url = new Uri(agent.HttpsUrl, "/headers");

        using HttpClient first = Clients.Create(fixture.Edge.CaPath);
        var stamps = new HashSet<string>();
        for (int i = 0; i < 4; i++)
        {
            using HttpResponseMessage served = await first.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            stamps.Add((await Http.ErrorPageTests.ReadHeadersAsync(served))["x-connected-at"]);
        }

        Assert.Single(stamps);
        using HttpClient second = Clients.Create(fixture.Edge.CaPath);
        using HttpResponseMessage other = await second.GetAsync(url, Ct);
        string stamp = (await Http.ErrorPageTests.ReadHeadersAsync(other))["x-connected-at"];
        Assert.DoesNotContain(stamp, stamps);
    }

    [Fact(Timeout = 60_000)]
    public async Task On_tcp_connect_of_an_http_tunnel_refuses_the_connection_and_closes_it_after_the_answer()
    {
        string policy = Write("""
            on_tcp_connect:
              - name: nobody-from-loopback
                expressions: ["inCidrRange(conn.client_ip, '127.0.0.0/8')"]
                actions: [{type: deny}]
            """);
        await using var agent = await fixture.StartAgentAsync([Port, "--traffic-policy-file", policy]);

        using HttpResponseMessage refused = await fixture.Client.GetAsync(new Uri(agent.HttpsUrl, "/hello"), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("ERR_BURROW_3101", refused.Headers.GetValues("Burrow-Error-Code").Single());
        Assert.True(refused.Headers.ConnectionClose, "a refused connection is closed after its answer");
        Assert.Contains("nobody-from-loopback", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Verify_webhook_lets_a_signed_github_delivery_through_and_refuses_a_wrong_or_tampered_one()
    {
        const string secret = "It's a Secret to Everybody";
        string policy = Write($$"""
            on_http_request:
              - expressions: ["req.url.path == '/echo-hash'"]
                actions:
                  - type: verify-webhook
                    config: {provider: github, secret: "{{secret}}", max_body_size: 4096}
            """);
        await using var agent = await fixture.StartAgentAsync([Port, "--traffic-policy-file", policy]);
        var url = new Uri(agent.HttpsUrl, "/echo-hash");
        byte[] body = Encoding.UTF8.GetBytes("""{"action":"opened","number":1}""");

        using (HttpResponseMessage signed = await PostAsync(url, body, Sign(secret, body)))
        {
            Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
            // The upstream got exactly the bytes that were verified.
            Assert.Equal($"{body.Length} {Convert.ToHexStringLower(SHA256.HashData(body))}", await signed.Content.ReadAsStringAsync(Ct));
        }

        using (HttpResponseMessage wrong = await PostAsync(url, body, Sign("not the secret", body)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
            Assert.Equal("ERR_BURROW_3103", wrong.Headers.GetValues("Burrow-Error-Code").Single());
        }

        byte[] tampered = Encoding.UTF8.GetBytes("""{"action":"closed","number":1}""");
        using (HttpResponseMessage changed = await PostAsync(url, tampered, Sign(secret, body)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, changed.StatusCode);
        }

        byte[] large = new byte[8192];
        using HttpResponseMessage tooLarge = await PostAsync(url, large, Sign(secret, large));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("ERR_BURROW_3104", tooLarge.Headers.GetValues("Burrow-Error-Code").Single());
    }

    [Fact(Timeout = 60_000)]
    public async Task Compress_response_gzips_for_a_client_that_accepts_it_and_not_for_one_that_does_not()
    {
        string policy = Write("""
            on_http_response:
              - actions:
                  - type: compress-response
                    config: {algorithms: [zstd, gzip]}
            """);
        await using var agent = await fixture.StartAgentAsync([Port, "--traffic-policy-file", policy]);
        // JSON compresses; the /bytes route's application/octet-stream is left alone as already-compressed data might be.
        var url = new Uri(agent.HttpsUrl, "/headers");

        using (var request = new HttpRequestMessage(HttpMethod.Get, url))
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
            using HttpResponseMessage gzipped = await fixture.Client.SendAsync(request, Ct);
            Assert.Equal("gzip", gzipped.Content.Headers.ContentEncoding.Single());
            await using var unzip = new GZipStream(await gzipped.Content.ReadAsStreamAsync(Ct), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            await unzip.CopyToAsync(plain, Ct);
            Assert.Contains("\"accept-encoding\"", Encoding.UTF8.GetString(plain.ToArray()), StringComparison.Ordinal);
            Assert.Contains("Accept-Encoding", gzipped.Headers.Vary);
        }

        using HttpResponseMessage identity = await fixture.Client.GetAsync(url, Ct);
        Assert.Empty(identity.Content.Headers.ContentEncoding);
        Assert.StartsWith("{", await identity.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using HttpResponseMessage binary = await fixture.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(agent.HttpsUrl, "/bytes/1000")) { Headers = { { "Accept-Encoding", "gzip" } } }, Ct);
        Assert.Empty(binary.Content.Headers.ContentEncoding);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("deflate")]
    [InlineData("zstd")]
    public async Task Compress_response_encodes_with_each_algorithm_curl_asks_for_and_curl_decodes_it(string algorithm)
    {
        // No algorithms given: all four are offered, and the client's Accept-Encoding picks.
        string policy = Write("""
            on_http_response:
              - actions:
                  - type: compress-response
            """);
        await using var agent = await fixture.StartAgentAsync([Port, "--traffic-policy-file", policy]);

        // --compressed makes curl decode what it gets; the header narrows the offer to one algorithm.
        var (exit, stdout, stderr) = await Curl.RunAsync(
            ["--cacert", fixture.Edge.CaPath, "--compressed", "-H", $"Accept-Encoding: {algorithm}", "--dump-header", "-", new Uri(agent.HttpsUrl, "/headers").ToString()]);

        Assert.True(exit == 0, stderr);
        Assert.Matches(new System.Text.RegularExpressions.Regex($"(?im)^content-encoding: {algorithm}\\r?$"), stdout);
        Assert.Contains("\"accept-encoding\"", stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bad_policy_file_is_refused_before_connecting_with_its_line_and_column()
    {
        string policy = Write("""
            on_http_request:
              - expressions: ["req.nope == 'x'"]
                actions:
                  - type: deny
            """);

        var (exit, stderr) = await BurrowProcess.RunToEndAsync(["http", Port, "--traffic-policy-file", policy, "--server", "127.0.0.1:1", "--authtoken", "x"]);

        Assert.Equal(2, exit);
        Assert.Contains("ERR_BURROW_2021", stderr, StringComparison.Ordinal);
        Assert.Contains($"{policy} line 2, column 19", stderr, StringComparison.Ordinal);
        Assert.Contains("req.nope", stderr, StringComparison.Ordinal);
    }

    private static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private Task<HttpResponseMessage> SendAsync(Uri url, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("x-key", key);
        return fixture.Client.SendAsync(request, Ct);
    }

    private Task<HttpResponseMessage> PostAsync(Uri url, byte[] body, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Headers.Add("X-Hub-Signature-256", signature);
        request.Headers.Add("X-GitHub-Event", "pull_request");
        return fixture.Client.SendAsync(request, Ct);
    }
}

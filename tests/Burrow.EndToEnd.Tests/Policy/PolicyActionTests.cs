using System.Net;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Policy;

/// <summary>
/// The actions <see cref="TrafficPolicyTests"/> leaves out, through the real executable with curl or HttpClient:
/// remove-headers, restrict-ips, basic-auth, log, close-connection, and custom-response in <c>on_http_response</c>.
/// </summary>
public sealed class PolicyActionTests(PolicyEdgeFixture fixture) : IClassFixture<PolicyEdgeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task Remove_headers_strips_request_headers_before_the_upstream_and_response_headers_before_the_client()
    {
        await using AgentRun agent = await fixture.StartAgentAsync("""
            on_http_request:
              - actions:
                  - type: remove-headers
                    config: {headers: [x-internal-token, cookie]}
            on_http_response:
              - actions:
                  - type: remove-headers
                    config: {headers: [x-upstream-secret]}
            """);

        CurlReply request = await CurlReply.RunAsync(fixture.Edge.CaPath,
            ["-H", "X-Internal-Token: t0p", "-H", "Cookie: session=1", "-H", "X-Kept: yes", new Uri(agent.HttpsUrl, "/headers").ToString()]);
        Assert.Equal(200, request.Status);
        Dictionary<string, string> seen = JsonSerializer.Deserialize<Dictionary<string, string>>(request.Body)!;
        Assert.False(seen.ContainsKey("x-internal-token"), request.Text);
        Assert.False(seen.ContainsKey("cookie"), request.Text);
        Assert.Equal("yes", seen["x-kept"]);

        CurlReply response = await CurlReply.RunAsync(fixture.Edge.CaPath, [new Uri(agent.HttpsUrl, "/set-headers").ToString()]);
        Assert.Equal(200, response.Status);
        Assert.Equal("with headers", response.Text);
        Assert.False(response.Headers.ContainsKey("X-Upstream-Secret"), string.Join(", ", response.Headers.Keys));
    }

    [Fact(Timeout = 60_000)]
    public async Task Restrict_ips_judges_the_socket_address_and_ignores_a_spoofed_x_forwarded_for()
    {
        await using AgentRun agent = await fixture.StartAgentAsync("""
            on_http_request:
              - name: loopback-only
                expressions: ["req.url.path.startsWith('/allow/')"]
                actions: [{type: restrict-ips, config: {allow: ["127.0.0.0/8"]}}]
              - name: not-this-host
                expressions: ["req.url.path.startsWith('/deny/')"]
                actions: [{type: restrict-ips, config: {deny: ["127.0.0.1/32"]}}]
              - name: office-only
                expressions: ["req.url.path.startsWith('/office/')"]
                actions: [{type: restrict-ips, config: {allow: ["203.0.113.0/24"]}}]
              - name: report-only
                expressions: ["req.url.path.startsWith('/report/')"]
                actions:
                  - type: restrict-ips
                    config: {deny: ["127.0.0.0/8"], enforce: false}
                  - type: add-headers
                    config: {headers: {x-ip-allowed: "${actions.ngrok.restrict_ips.allowed}"}}
              - actions:
                  - type: url-rewrite
                    config: {from: "/(allow|deny|office|report)/", to: "/"}
            """);

        using (HttpResponseMessage allowed = await GetAsync(agent, "/allow/hello", forwardedFor: "198.51.100.7"))
        {
            string body = await allowed.Content.ReadAsStringAsync(Ct);
            Assert.True(allowed.StatusCode == HttpStatusCode.OK, $"{allowed.StatusCode}: {body}");
            Assert.Equal("hello from upstream", body);
        }

        // An X-Forwarded-For inside the allowed range, sent by the client itself, changes nothing: 127.0.0.1 is who connected.
        foreach (string path in (string[])["/deny/hello", "/office/hello"])
        {
            using HttpResponseMessage denied = await GetAsync(agent, path, forwardedFor: "203.0.113.9");
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Equal("ERR_BURROW_3006", denied.Headers.GetValues("Burrow-Error-Code").Single());
            string page = await denied.Content.ReadAsStringAsync(Ct);
            Assert.Contains("127.0.0.1", page, StringComparison.Ordinal);
            Assert.DoesNotContain("hello from upstream", page, StringComparison.Ordinal);
        }

        // enforce: false only records the verdict, for the rules after it.
        using HttpResponseMessage reported = await GetAsync(agent, "/report/headers", forwardedFor: null);
        Dictionary<string, string> seen = await Http.ErrorPageTests.ReadHeadersAsync(reported);
        Assert.Equal("false", seen["x-ip-allowed"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Basic_auth_challenges_with_its_realm_admits_good_credentials_and_keeps_them_from_the_upstream()
    {
        await using AgentRun agent = await fixture.StartAgentAsync("""
            on_http_request:
              - actions:
                  - type: basic-auth
                    config: {credentials: ["ada:lovelace-1815", "bob:builder-1998"], realm: "burrow e2e"}
            """);
        string url = new Uri(agent.HttpsUrl, "/headers").ToString();

        CurlReply none = await CurlReply.RunAsync(fixture.Edge.CaPath, [url]);
        Assert.Equal(401, none.Status);
        Assert.Equal("ERR_BURROW_3005", none.Headers["Burrow-Error-Code"]);
        Assert.Equal("Basic realm=\"burrow e2e\", charset=\"UTF-8\"", none.Headers["WWW-Authenticate"]);

        CurlReply good = await CurlReply.RunAsync(fixture.Edge.CaPath, ["--user", "ada:lovelace-1815", url]);
        Assert.Equal(200, good.Status);
        Dictionary<string, string> seen = JsonSerializer.Deserialize<Dictionary<string, string>>(good.Body)!;
        Assert.False(seen.ContainsKey("authorization"), good.Text);

        foreach (string wrong in (string[])["ada:lovelace-1816", "bob:lovelace-1815", "eve:builder-1998"])
        {
            CurlReply refused = await CurlReply.RunAsync(fixture.Edge.CaPath, ["--user", wrong, url]);
            Assert.Equal(401, refused.Status);
            Assert.Equal("ERR_BURROW_3005", refused.Headers["Burrow-Error-Code"]);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Log_writes_its_interpolated_metadata_to_the_edge_log_on_request_and_response()
    {
        await using AgentRun agent = await fixture.StartAgentAsync("""
            on_http_request:
              - name: audit-request
                actions:
                  - type: log
                    config:
                      metadata: {path: "${req.url.path}", who: "${getReqHeader('x-who')[0]}", note: "hello world"}
            on_http_response:
              - name: audit-response
                actions:
                  - type: log
                    config:
                      metadata: {status: "${string(res.status_code)}", who: "${getReqHeader('x-who')[0]}"}
            """);
        string who = "ada-" + Guid.NewGuid().ToString("n")[..8];

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(agent.HttpsUrl, "/hello"));
        request.Headers.Add("x-who", who);
        using HttpResponseMessage response = await fixture.Client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        string host = agent.HttpsUrl.Host;
        string requestLine = (await fixture.Edge.Process.WaitForLineAsync($@"policy log {host} rule audit-request: .*who={who}")).Value;
        Assert.Contains("path=/hello", requestLine, StringComparison.Ordinal);
        Assert.Contains("hello world", requestLine, StringComparison.Ordinal);
        await fixture.Edge.Process.WaitForLineAsync($@"policy log {host} rule audit-response: status=200 who={who}");
    }

    [Fact(Timeout = 60_000)]
    public async Task Close_connection_ends_the_connection_without_an_answer_and_the_upstream_never_sees_the_request()
    {
        await using AgentRun agent = await fixture.StartAgentAsync("""
            on_http_request:
              - name: drop
                expressions: ["req.url.path.startsWith('/record/drop')"]
                actions: [{type: close-connection}]
            """);

        CurlReply dropped = await CurlReply.RunAsync(fixture.Edge.CaPath, ["--http1.1", new Uri(agent.HttpsUrl, "/record/drop").ToString()]);
        // 52: empty reply from server; 56: the connection was reset while reading.
        Assert.True(dropped.ExitCode is 52 or 56, $"curl exited {dropped.ExitCode} with status {dropped.Status}: {dropped.Stderr}");
        Assert.Equal(0, dropped.Status);
        Assert.Empty(dropped.Body);

        await Assert.ThrowsAsync<HttpRequestException>(() => fixture.Client.GetAsync(new Uri(agent.HttpsUrl, "/record/drop-too"), Ct));
        await fixture.Edge.Process.WaitForLineAsync($@"ERR_BURROW_3107 the traffic policy of {agent.HttpsUrl.Host} closed a connection from 127\.0\.0\.1:\d+ \(rule drop\)");

        // Other requests on the tunnel are served; the dropped ones never reached the upstream.
        using HttpResponseMessage other = await fixture.Client.PostAsync(new Uri(agent.HttpsUrl, "/record/kept"), new StringContent("kept"), Ct);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.DoesNotContain(fixture.Upstream.Recorded, r => r.Contains("/record/drop", StringComparison.Ordinal));
        Assert.Contains(fixture.Upstream.Recorded, r => r == "POST /record/kept kept");
    }

    [Fact(Timeout = 60_000)]
    public async Task Custom_response_on_http_response_replaces_the_upstream_answer_it_matches()
    {
        await using AgentRun agent = await fixture.StartAgentAsync("""
            on_http_response:
              - name: friendly-404
                expressions: ["res.status_code == 404"]
                actions:
                  - type: custom-response
                    config:
                      status_code: 503
                      body: "upstream said ${string(res.status_code)} for ${req.url.path}"
                      headers: {retry-after: "30", x-from: policy}
            """);

        CurlReply replaced = await CurlReply.RunAsync(fixture.Edge.CaPath, [new Uri(agent.HttpsUrl, "/no/such/page").ToString()]);
        Assert.Equal(503, replaced.Status);
        Assert.Equal("upstream said 404 for /no/such/page", replaced.Text);
        Assert.Equal("30", replaced.Headers["Retry-After"]);
        Assert.Equal("policy", replaced.Headers["X-From"]);

        CurlReply untouched = await CurlReply.RunAsync(fixture.Edge.CaPath, [new Uri(agent.HttpsUrl, "/hello").ToString()]);
        Assert.Equal(200, untouched.Status);
        Assert.Equal("hello from upstream", untouched.Text);
        Assert.False(untouched.Headers.ContainsKey("X-From"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Deny_on_http_response_is_refused_before_connecting_as_it_belongs_to_other_phases()
    {
        string policy = fixture.WritePolicy("""
            on_http_response:
              - expressions: ["res.status_code >= 500"]
                actions:
                  - type: deny
            """);

        var (exit, output) = await BurrowProcess.RunToEndAsync(["http", "8080", "--traffic-policy-file", policy, "--server", "127.0.0.1:1", "--authtoken", "x"]);

        Assert.Equal(2, exit);
        Assert.Contains("ERR_BURROW_2021", output, StringComparison.Ordinal);
        Assert.Contains("on_http_response[0].actions[0]", output, StringComparison.Ordinal);
        Assert.Contains("deny", output, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> GetAsync(AgentRun agent, string path, string? forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(agent.HttpsUrl, path));
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return await fixture.Client.SendAsync(request, Ct);
    }
}

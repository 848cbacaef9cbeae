using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Http;

/// <summary>Endpoint options given to <c>burrow http</c> are enforced at the edge, before traffic reaches the agent.</summary>
public sealed class EndpointOptionTests(TunnelFixture fixture) : IClassFixture<TunnelFixture>
{
    private string Port => fixture.Upstream.Port.ToString(CultureInfo.InvariantCulture);

    [Fact(Timeout = 30_000)]
    public async Task Basic_auth_refuses_without_the_right_credentials_and_hides_them_from_the_upstream()
    {
        await using var agent = await fixture.StartAgentAsync([Port, "--basic-auth", "alice:correct-horse", "--basic-auth", "bob:battery-staple"]);
        var url = new Uri(agent.HttpsUrl, "/headers");

        using (var none = await fixture.Client.GetAsync(url, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("ERR_BURROW_3005", none.Headers.GetValues("Burrow-Error-Code").Single());
            Assert.Equal("Basic", none.Headers.WwwAuthenticate.Single().Scheme);
        }

        using (var wrong = await SendWithAuthAsync(url, "alice:wrong-password"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var right = await SendWithAuthAsync(url, "bob:battery-staple");
        var headers = await ErrorPageTests.ReadHeadersAsync(right);
        Assert.False(headers.ContainsKey("authorization"));

        var (exit, stdout, stderr) = await Curl.RunAsync(["--cacert", fixture.Edge.CaPath, "-u", "alice:correct-horse", new Uri(agent.HttpsUrl, "/hello").ToString()]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from upstream", stdout);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("--cidr-allow", "10.0.0.0/8", HttpStatusCode.Forbidden)]
    [InlineData("--cidr-allow", "127.0.0.0/8", HttpStatusCode.OK)]
    [InlineData("--cidr-deny", "127.0.0.1", HttpStatusCode.Forbidden)]
    [InlineData("--cidr-deny", "192.0.2.0/24", HttpStatusCode.OK)]
    public async Task Cidr_rules_decide_on_the_connection_address(string option, string range, HttpStatusCode expected)
    {
        await using var agent = await fixture.StartAgentAsync([Port, option, range]);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(agent.HttpsUrl, "/hello"));
        // A forged header must not change the edge's decision.
        request.Headers.Add("X-Forwarded-For", "10.1.2.3");
        using var response = await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Equal("ERR_BURROW_3006", response.Headers.GetValues("Burrow-Error-Code").Single());
            Assert.Contains("127.0.0.1", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Header_rules_add_and_remove_request_and_response_headers()
    {
        await using var agent = await fixture.StartAgentAsync(
        [
            Port, "--request-header-add", "X-Env: dev", "--request-header-remove", "X-Remove-Me",
            "--response-header-add", "X-Served-By:burrow", "--response-header-remove", "X-Upstream-Secret",
        ]);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(agent.HttpsUrl, "/headers"));
        request.Headers.Add("X-Remove-Me", "1");
        using var response = await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var headers = await ErrorPageTests.ReadHeadersAsync(response);
        Assert.Equal("dev", headers["x-env"]);
        Assert.False(headers.ContainsKey("x-remove-me"));
        Assert.Equal("burrow", response.Headers.GetValues("X-Served-By").Single());

        using var secret = await fixture.Client.GetAsync(new Uri(agent.HttpsUrl, "/set-headers"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, secret.StatusCode);
        Assert.False(secret.Headers.Contains("X-Upstream-Secret"));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("rewrite", null)]
    [InlineData("app.internal:9000", "app.internal:9000")]
    public async Task Host_header_rule_sets_the_host_the_upstream_sees(string rule, string? expected)
    {
        await using var agent = await fixture.StartAgentAsync([Port, "--host-header", rule]);

        using var response = await fixture.Client.GetAsync(new Uri(agent.HttpsUrl, "/headers"), TestContext.Current.CancellationToken);
        var headers = await ErrorPageTests.ReadHeadersAsync(response);

        Assert.Equal(expected ?? $"localhost:{Port}", headers["host"]);
        Assert.Equal(agent.HttpsUrl.Authority, headers["x-forwarded-host"]);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("--basic-auth", "alice:short", "basic_auth[0]")]
    [InlineData("--cidr-allow", "10/8", "cidr_allow[0]")]
    [InlineData("--request-header-add", "Content-Length: 5", "request_header_add[0]")]
    [InlineData("--host-header", "http://x", "host_header")]
    public async Task Bad_option_value_is_refused_at_bind_and_the_agent_exits(string option, string value, string named)
    {
        await using var agent = await fixture.StartAgentAsync([Port, option, value], waitForUrl: false);

        int exit = await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(1, exit);
        Assert.Contains("ERR_BURROW_2004: Invalid " + named, agent.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Forwarding", agent.Process.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Requested_subdomain_is_granted_and_a_taken_one_is_refused()
    {
        string name = "e2e-" + Guid.NewGuid().ToString("n")[..8];
        await using var first = await fixture.StartAgentAsync([Port, "--url", name]);
        Assert.Equal($"{name}.localhost", first.HttpsUrl.Host);

        await using var second = await fixture.StartAgentAsync([Port, "--url", $"https://{name}.localhost"], waitForUrl: false);
        Assert.Equal(1, await second.Process.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains($"ERR_BURROW_2001: Hostname '{name}.localhost' is already served by another tunnel.", second.Process.Output, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> SendWithAuthAsync(Uri url, string userColonPassword)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(userColonPassword)));
        return await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}

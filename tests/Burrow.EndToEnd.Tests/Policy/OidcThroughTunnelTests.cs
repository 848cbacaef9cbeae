using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;

namespace Burrow.EndToEnd.Tests.Policy;

/// <summary>
/// The <c>oidc</c> action through the real executables: <c>burrow server</c> and <c>burrow http --traffic-policy-file</c>
/// with a policy that signs visitors in at a real OpenID provider on loopback (npm <c>oidc-provider</c>), denies every
/// identity but one and passes the identity to the upstream in headers, driven by a real browser (Debian's chromium).
/// The tunnel's name is chosen (<c>--url</c>) so its callback can be registered at the provider before the agent starts;
/// chromium resolves <c>*.localhost</c> to loopback itself.
/// </summary>
public sealed class OidcThroughTunnelTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string ClientId = "burrow-tunnel";
    private const string ClientSecret = "burrow-tunnel-secret";
    private const string Callback = "/.burrow/oidc/callback";
    private const string SessionCookie = "burrow_oidc";

    [Fact(Timeout = 150_000)]
    public async Task Sign_in_through_the_tunnel_passes_the_identity_upstream_denies_another_user_and_logout_ends_the_session()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using var edge = await EdgeRun.StartAsync();
        await using var upstream = await IdentityUpstream.StartAsync();
        string label = "oidc-" + Guid.NewGuid().ToString("n")[..8];
        string host = label + ".localhost";
        string site = $"https://{host}:{edge.HttpsPort.ToString(CultureInfo.InvariantCulture)}";
        string plain = $"http://{host}:{edge.HttpPort.ToString(CultureInfo.InvariantCulture)}";
        await using OidcProviderRun provider = await OidcProviderRun.StartAsync(ClientId, ClientSecret, [site + Callback, plain + Callback]);
        using var dir = new TempDirectory();
        string policy = Path.Combine(dir.Path, "policy.yml");
        await File.WriteAllTextAsync(policy, $$"""
            on_http_request:
              - name: sign-in
                actions:
                  - type: oidc
                    config:
                      issuer_url: "{{provider.Issuer}}"
                      client_id: {{ClientId}}
                      client_secret: {{ClientSecret}}
              - name: only-ada
                expressions: ["actions.ngrok.oidc.identity.email != 'ada@example.test'"]
                actions:
                  - type: deny
                    config: {status_code: 403}
              - actions:
                  # add-headers appends: what the visitor sent under these names goes first.
                  - type: remove-headers
                    config: {headers: [x-user-email, x-user-sub, x-user-name]}
                  - type: add-headers
                    config:
                      headers:
                        x-user-email: "${actions.ngrok.oidc.identity.email}"
                        x-user-sub: "${actions.ngrok.oidc.identity.sub}"
                        x-user-name: "${actions.ngrok.oidc.identity.name}"
            """, ct);
        await using var agent = await AgentRun.StartAsync(
            [upstream.Port.ToString(CultureInfo.InvariantCulture), "--url", label, "--traffic-policy-file", policy, .. edge.AgentArgs()], Path.Combine(dir.Path, "agent"));
        Assert.Equal(new Uri(site), agent.HttpsUrl);

        // The edge's certificate comes from the test CA, which this chromium does not trust.
        await using IBrowserContext context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        IPage page = await context.NewPageAsync();
        var seen = new ConcurrentQueue<string>();
        page.Request += (_, request) => seen.Enqueue(request.Url);

        // :: a first visit goes to the provider, with the tunnel's own https callback as redirect_uri, and comes back to the URL asked for.
        await page.GotoAsync(site + "/private/page?x=1");
        Assert.StartsWith(provider.Issuer + "/interaction/", page.Url, StringComparison.Ordinal);
        string authorize = seen.First(u => u.StartsWith(provider.Issuer + "/auth?", StringComparison.Ordinal));
        var query = QueryHelpers.ParseQuery(new Uri(authorize).Query);
        Assert.Equal(site + Callback, query["redirect_uri"].ToString());
        Assert.Equal("S256", query["code_challenge_method"].ToString());
        await OidcProviderPages.SignInAsync(page, provider.Issuer, "ada");
        await page.WaitForURLAsync(site + "/private/page?x=1");
        string text = await page.InnerTextAsync("body");
        Assert.Contains("path=/private/page?x=1", text, StringComparison.Ordinal);
        Assert.Contains("x-user-email=ada@example.test", text, StringComparison.Ordinal);
        Assert.Contains("x-user-sub=ada", text, StringComparison.Ordinal);
        Assert.Contains("x-user-name=Test User ada", text, StringComparison.Ordinal);

        // :: the session cookie is host-only, Secure over https, HttpOnly, Lax, and sealed: neither the claims nor JSON show through.
        BrowserContextCookiesResult session = (await context.CookiesAsync([site])).Single(c => c.Name == SessionCookie);
        Assert.Equal(host, session.Domain);
        Assert.Equal("/", session.Path);
        Assert.True(session.Secure);
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, session.SameSite);
        byte[] sealedBytes = Base64UrlEncoder.DecodeBytes(session.Value);
        Assert.DoesNotContain("ada", session.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("ada", System.Text.Encoding.UTF8.GetString(sealedBytes), StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(sealedBytes));
        Assert.Equal("", await page.EvaluateAsync<string>("document.cookie"));
        Assert.DoesNotContain(await context.CookiesAsync([site + "/.burrow/oidc/"]), c => c.Name.StartsWith("burrow_oidc_state", StringComparison.Ordinal));

        // :: signed in: another page goes straight to the upstream, and a header the visitor sends cannot pose as the identity.
        seen.Clear();
        await page.SetExtraHTTPHeadersAsync(new Dictionary<string, string> { ["x-user-email"] = "eve@example.test" });
        await page.GotoAsync(site + "/other");
        await page.SetExtraHTTPHeadersAsync(new Dictionary<string, string>());
        text = await page.InnerTextAsync("body");
        Assert.Contains("path=/other", text, StringComparison.Ordinal);
        Assert.Contains("x-user-email=ada@example.test\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("eve@", text, StringComparison.Ordinal);
        Assert.DoesNotContain(seen, u => u.StartsWith(provider.Issuer, StringComparison.Ordinal));

        // :: without the cookie: forwarded headers a visitor sends do not move the callback elsewhere, and a script's request gets 401.
        using (HttpClient anonymous = Clients.Create(edge.CaPath))
        {
            using var forged = new HttpRequestMessage(HttpMethod.Get, new Uri(site + "/api/data"))
            {
                Headers = { { "X-Forwarded-Host", "evil.example" }, { "X-Forwarded-Proto", "http" }, { "Forwarded", "host=evil.example;proto=http" } },
            };
            using HttpResponseMessage toProvider = await anonymous.SendAsync(forged, ct);
            Assert.Equal(System.Net.HttpStatusCode.Found, toProvider.StatusCode);
            Assert.Equal(site + Callback, QueryHelpers.ParseQuery(toProvider.Headers.Location!.Query)["redirect_uri"].ToString());
            using var fetch = new HttpRequestMessage(HttpMethod.Get, new Uri(site + "/api/data")) { Headers = { { "Sec-Fetch-Mode", "cors" } } };
            using HttpResponseMessage unauthorized = await anonymous.SendAsync(fetch, ct);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, unauthorized.StatusCode);
            Assert.Equal("ERR_BURROW_3122", unauthorized.Headers.GetValues("Burrow-Error-Code").Single());
        }

        // :: logout at the edge clears the cookie and goes to the provider's end_session_endpoint; confirming ends the provider's session too.
        await page.GotoAsync(site + "/.burrow/oidc/logout");
        Assert.StartsWith(provider.Issuer + "/session/end", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(await context.CookiesAsync([site]), c => c.Name == SessionCookie);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(u => u.StartsWith(provider.Issuer + "/session/end/success", StringComparison.Ordinal));

        // :: the next visit goes back to the provider's login; another user signs in there, and the policy's deny answers.
        seen.Clear();
        await page.GotoAsync(site + "/after-logout");
        Assert.StartsWith(provider.Issuer + "/interaction/", page.Url, StringComparison.Ordinal);
        Assert.Contains(seen, u => u.StartsWith(provider.Issuer + "/auth?", StringComparison.Ordinal));
        IResponse denied = await page.RunAndWaitForResponseAsync(() => OidcProviderPages.SignInAsync(page, provider.Issuer, "bob"), site + "/after-logout");
        Assert.Equal(403, denied.Status);
        Assert.Equal("ERR_BURROW_3101", await denied.HeaderValueAsync("burrow-error-code"));
        Assert.Contains("only-ada", await page.InnerTextAsync("body"), StringComparison.Ordinal);
        Assert.Contains(await context.CookiesAsync([site]), c => c.Name == SessionCookie);

        // The upstream saw ada's pages and nothing else: not the callback, not logout, not bob's.
        Assert.Equal(["/private/page?x=1 ada@example.test", "/other ada@example.test"], upstream.Seen);
        Assert.DoesNotContain("server_error", provider.Log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Over_the_plain_http_url_the_callback_is_http_and_the_session_cookie_is_not_secure()
    {
        await using var edge = await EdgeRun.StartAsync();
        await using var upstream = await IdentityUpstream.StartAsync();
        string label = "oidc-" + Guid.NewGuid().ToString("n")[..8];
        string plain = $"http://{label}.localhost:{edge.HttpPort.ToString(CultureInfo.InvariantCulture)}";
        await using OidcProviderRun provider = await OidcProviderRun.StartAsync(ClientId, ClientSecret, [plain + Callback]);
        using var dir = new TempDirectory();
        string policy = Path.Combine(dir.Path, "policy.yml");
        await File.WriteAllTextAsync(policy, $$"""
            on_http_request:
              - actions:
                  - type: oidc
                    config: {issuer_url: "{{provider.Issuer}}", client_id: {{ClientId}}, client_secret: {{ClientSecret}}, auth_id: plain}
                  - type: add-headers
                    config:
                      headers: {x-user-email: "${actions.ngrok.oidc.identity.email}" }
            """, TestContext.Current.CancellationToken);
        await using var agent = await AgentRun.StartAsync(
            [upstream.Port.ToString(CultureInfo.InvariantCulture), "--url", label, "--traffic-policy-file", policy, .. edge.AgentArgs()], Path.Combine(dir.Path, "agent"));
        Assert.Equal(new Uri(plain), agent.HttpUrl);

        await using IBrowserContext context = await browser.Browser.NewContextAsync();
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(plain + "/plain?y=2");
        Assert.StartsWith(provider.Issuer + "/interaction/", page.Url, StringComparison.Ordinal);
        await OidcProviderPages.SignInAsync(page, provider.Issuer, "ada");
        await page.WaitForURLAsync(plain + "/plain?y=2");
        Assert.Contains("x-user-email=ada@example.test", await page.InnerTextAsync("body"), StringComparison.Ordinal);

        BrowserContextCookiesResult session = (await context.CookiesAsync([plain])).Single(c => c.Name == SessionCookie + "_plain");
        Assert.False(session.Secure);
        Assert.True(session.HttpOnly);
        Assert.Equal(["/plain?y=2 ada@example.test"], upstream.Seen);
    }

    // oidc-provider's dev interactions: a login form (any password), then a consent form once per account and client.
    /// <summary>The service behind the tunnel: answers with the path and the identity headers it received, and records them.</summary>
    private sealed class IdentityUpstream : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<string> _seen;

        private IdentityUpstream(WebApplication app, int port, ConcurrentQueue<string> seen)
        {
            _app = app;
            Port = port;
            _seen = seen;
        }

        public int Port { get; }

        public string[] Seen => [.. _seen];

        public static async Task<IdentityUpstream> StartAsync()
        {
            int port = FreePort.Loopback();
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
            builder.Logging.ClearProviders();
            WebApplication app = builder.Build();
            var seen = new ConcurrentQueue<string>();
            app.Run(async context =>
            {
                HttpRequest request = context.Request;
                // Chromium asks for a favicon on its own; it is no page of the test's.
                if (request.Path == "/favicon.ico")
                {
                    context.Response.StatusCode = 404;
                    return;
                }

                string pathAndQuery = request.Path.Value + request.QueryString.Value;
                seen.Enqueue(pathAndQuery + " " + request.Headers["x-user-email"]);
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync(
                    $"path={pathAndQuery}\nx-user-email={request.Headers["x-user-email"]}\nx-user-sub={request.Headers["x-user-sub"]}\nx-user-name={request.Headers["x-user-name"]}\n");
            });
            await app.StartAsync();
            return new IdentityUpstream(app, port, seen);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

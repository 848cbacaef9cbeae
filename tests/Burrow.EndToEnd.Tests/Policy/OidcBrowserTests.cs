using System.Globalization;
using System.Text.Json.Nodes;
using Burrow.Edge.Policy.Identity;
using Burrow.EndToEnd.Tests.Harness;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;

namespace Burrow.EndToEnd.Tests.Policy;

/// <summary>
/// The oidc action in a real browser (Debian's chromium) against a real OpenID provider (oidc-provider
/// from npm) on loopback. The action runs in a small Kestrel app of the test's own, as the policy
/// pipeline will run it: each request goes through <see cref="OidcAction.HandleAsync"/> first.
/// </summary>
public sealed class OidcBrowserTests : IClassFixture<BrowserFixture>
{
    private const string ClientId = "burrow-test";
    private const string ClientSecret = "burrow-test-secret";
    private readonly BrowserFixture _browser;

    public OidcBrowserTests(BrowserFixture browser)
    {
        _browser = browser;
    }

    [Fact]
    public async Task Visit_SignsInAtTheProvider_ReturnsToThePageWithClaims_CookieSealed_LogoutAndTamperingSignInAgain()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        int appPort = FreePort.Loopback();
        string app = "http://127.0.0.1:" + appPort.ToString(CultureInfo.InvariantCulture);
        await using OidcProviderRun provider = await OidcProviderRun.StartAsync(ClientId, ClientSecret, [app + "/.burrow/oidc/callback"]);
        using var http = new HttpClient();
        var errors = new List<(string Path, string Message)>();
        OidcAction? action = OidcAction.Create(
            (JsonObject)JsonNode.Parse($$"""{ "issuer_url": "{{provider.Issuer}}", "client_id": "{{ClientId}}", "client_secret": "{{ClientSecret}}" }""")!,
            OidcKeys.FromKey(new byte[32].Select((_, i) => (byte)i).ToArray()), http, TimeProvider.System, errors);
        Assert.Empty(errors);
        await using WebApplication site = await StartSiteAsync(appPort, action!);

        await using IBrowserContext context = await _browser.Browser.NewContextAsync();
        IPage page = await context.NewPageAsync();
        var seen = new List<string>();
        page.Request += (_, request) => { lock (seen) { seen.Add(request.Url); } };

        // :: a first visit goes to the provider's login, then back to the very URL asked for.
        await page.GotoAsync(app + "/private/page?x=1");
        Assert.StartsWith(provider.Issuer, page.Url, StringComparison.Ordinal);
        await OidcProviderPages.SignInAsync(page, provider.Issuer, "ada");

        await page.WaitForURLAsync(app + "/private/page?x=1");
        string text = await page.InnerTextAsync("body");
        Assert.Contains("sub=ada", text, StringComparison.Ordinal);
        Assert.Contains("email=ada@example.test", text, StringComparison.Ordinal);
        Assert.Contains("name=Test User ada", text, StringComparison.Ordinal);
        Assert.Contains("path=/private/page?x=1", text, StringComparison.Ordinal);

        // :: the session cookie is HttpOnly, Lax, and sealed: neither the claims nor JSON show through.
        BrowserContextCookiesResult session = (await context.CookiesAsync([app])).Single(c => c.Name == action!.SessionCookieName);
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, session.SameSite);
        Assert.DoesNotContain("ada", session.Value, StringComparison.Ordinal);
        byte[] raw = Base64UrlEncoder.DecodeBytes(session.Value);
        Assert.DoesNotContain("ada", System.Text.Encoding.UTF8.GetString(raw), StringComparison.Ordinal);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => System.Text.Json.JsonDocument.Parse(raw));
        Assert.Equal("", await page.EvaluateAsync<string>("document.cookie"));

        // :: signed in: another page needs no trip to the provider.
        Clear(seen);
        await page.GotoAsync(app + "/other");
        Assert.Contains("sub=ada", await page.InnerTextAsync("body"), StringComparison.Ordinal);
        Assert.DoesNotContain(seen, u => u.StartsWith(provider.Issuer, StringComparison.Ordinal));

        // :: a tampered cookie is no session: the visit goes through the provider again.
        char[] chars = session.Value.ToCharArray();
        chars[chars.Length / 2] = chars[chars.Length / 2] == 'A' ? 'B' : 'A';
        await context.AddCookiesAsync([new Cookie { Name = session.Name, Value = new string(chars), Domain = session.Domain, Path = session.Path, HttpOnly = true }]);
        Clear(seen);
        await page.GotoAsync(app + "/after-tamper");
        await OidcProviderPages.SignInAsync(page, provider.Issuer, "ada");
        await page.WaitForURLAsync(app + "/after-tamper");
        Assert.Contains(seen, u => u.StartsWith(provider.Issuer + "/auth", StringComparison.Ordinal));
        Assert.Contains("sub=ada", await page.InnerTextAsync("body"), StringComparison.Ordinal);

        // :: logout clears the cookie (and goes to the provider's end_session_endpoint); the next visit signs in again.
        await page.GotoAsync(app + "/.burrow/oidc/logout");
        Assert.StartsWith(provider.Issuer + "/session/end", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(await context.CookiesAsync([app]), c => c.Name == action!.SessionCookieName);
        Clear(seen);
        await page.GotoAsync(app + "/after-logout");
        await OidcProviderPages.SignInAsync(page, provider.Issuer, "ada");
        await page.WaitForURLAsync(app + "/after-logout");
        Assert.Contains(seen, u => u.StartsWith(provider.Issuer + "/auth", StringComparison.Ordinal));

        // :: a script's request without a session is refused with 401, not sent to a login page.
        await context.ClearCookiesAsync();
        int status = await page.EvaluateAsync<int>("fetch('/api/data').then(r => r.status)");
        Assert.Equal(401, status);
        ct.ThrowIfCancellationRequested();
    }

    private static void Clear(List<string> seen)
    {
        lock (seen)
        {
            seen.Clear();
        }
    }

    private static async Task<WebApplication> StartSiteAsync(int port, OidcAction action)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        builder.Logging.ClearProviders();
        WebApplication site = builder.Build();
        site.Run(async context =>
        {
            IdentityOutcome outcome = await action.HandleAsync(context, context.RequestAborted);
            if (!outcome.Continue)
            {
                return;
            }

            var identity = (IReadOnlyDictionary<string, object?>)outcome.Variables["identity"]!;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(
                $"sub={identity.GetValueOrDefault("sub")}\nemail={identity.GetValueOrDefault("email")}\nname={identity.GetValueOrDefault("name")}\npath={context.Request.Path}{context.Request.QueryString}\n");
        });
        await site.StartAsync();
        return site;
    }
}

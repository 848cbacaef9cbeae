using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Burrow.EndToEnd.Tests.Admin;

/// <summary>The admin web page in a real browser (Debian's chromium) against a real <c>burrow server</c> with a real agent.</summary>
public sealed class AdminPageTests : IClassFixture<BrowserFixture>
{
    private readonly BrowserFixture _browser;

    public AdminPageTests(BrowserFixture browser)
    {
        _browser = browser;
    }

    [Fact]
    public async Task The_page_asks_for_the_key_shows_sessions_live_and_manages_tokens_domains_and_sessions()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using var edge = await EdgeRun.StartAsync();
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()], state.Path);
        using HttpClient tunnel = Clients.Create(edge.CaPath);
        using var api = new HttpClient { BaseAddress = new Uri(edge.AdminUrl + "/api/v1/") };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", edge.ApiKey);
        string sessionId = JsonDocument.Parse(await api.GetStringAsync("sessions", ct)).RootElement[0].GetProperty("id").GetString()!;

        await using IBrowserContext context = await _browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1500, Height = 1000 } });
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(edge.AdminUrl!);

        // A wrong key is refused with the API's code, and the page stays on the key form.
        await page.FillAsync("#api-key", "brwk_" + new string('q', 40));
        await page.ClickAsync("#login-submit");
        await Expect(page.Locator("#login-error")).ToContainTextAsync("ERR_BURROW_8001");
        await Expect(page.Locator("#app")).ToBeHiddenAsync();

        await page.FillAsync("#api-key", edge.ApiKey!);
        await page.ClickAsync("#login-submit");
        await Expect(page.Locator("#sessions tbody")).ToContainTextAsync(sessionId);
        Assert.Equal(edge.ApiKey, await page.EvaluateAsync<string>("() => sessionStorage.getItem('burrow.admin.apiKey')"));

        // Live: requests made now show up in the tunnel's row without a reload.
        const string Requests = "() => parseInt(document.querySelector('#tunnels tbody tr td:nth-child(6)')?.textContent ?? '0') || 0";
        int before = await page.EvaluateAsync<int>(Requests);
        for (int i = 0; i < 5; i++)
        {
            (await tunnel.GetAsync(new Uri(agent.HttpUrl!, "/hello"), ct)).Dispose();
        }

        await page.WaitForFunctionAsync($"k => ({Requests})() >= k + 5", before, new PageWaitForFunctionOptions { Timeout = 30_000 });

        // The tunnel's traffic log: its requests with path, status and client, and new ones as the page refreshes.
        await page.Locator("#tunnels tbody tr").First.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Traffic" }).ClickAsync();
        ILocator traffic = page.Locator("#traffic tbody tr", new PageLocatorOptions { HasText = "GET /hello" });
        await Expect(traffic.First).ToContainTextAsync("127.0.0.1");
        await Expect(traffic.First.Locator("td").Nth(3)).ToHaveTextAsync("200");
        Assert.True(await traffic.CountAsync() >= 5);
        (await tunnel.GetAsync(new Uri(agent.HttpUrl!, "/hello?from=the-traffic-test"), ct)).Dispose();
        await Expect(page.Locator("#traffic tbody tr").First).ToContainTextAsync("GET /hello?from=the-traffic-test", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });

        // Tokens: created with its secret shown once, then revoked.
        await page.FillAsync("#token-name", "from-the-page");
        await page.ClickAsync("#token-create");
        await Expect(page.Locator("#token-secret")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^brw_\\w{20,}$"));
        ILocator tokenRow = page.Locator("#tokens tbody tr", new PageLocatorOptions { HasText = "from-the-page" });
        await Expect(tokenRow).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "admin-page.png"), FullPage = true });
        await tokenRow.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Revoke" }).ClickAsync();
        await Expect(tokenRow.Locator("td").First).ToHaveClassAsync("revoked");
        string secret = (await page.Locator("#token-secret").TextContentAsync())!;
        Assert.Contains(JsonDocument.Parse(await api.GetStringAsync("authtokens", ct)).RootElement.EnumerateArray(),
            t => t.GetProperty("name").GetString() == "from-the-page" && t.GetProperty("revoked_at").ValueKind == JsonValueKind.String && secret.StartsWith(t.GetProperty("hint").GetString()!, StringComparison.Ordinal));

        // Domains: reserved (a bare label under the base domain), then released.
        await page.FillAsync("#domain-hostname", "webdemo");
        await page.ClickAsync("#domain-reserve");
        ILocator domainRow = page.Locator("#domains tbody tr", new PageLocatorOptions { HasText = "webdemo.localhost" });
        await Expect(domainRow).ToHaveCountAsync(1);
        Assert.Contains("webdemo.localhost", await api.GetStringAsync("reserved_domains", ct), StringComparison.Ordinal);

        // Its pinned traffic policy: a mistake is shown with its line and nothing is stored; a good one is pinned and shown.
        await domainRow.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Policy" }).ClickAsync();
        await Expect(page.Locator("#policy-host")).ToHaveTextAsync("webdemo.localhost");
        await page.FillAsync("#policy-text", "on_http_request:\n  - actions:\n      - type: dney\n");
        await page.ClickAsync("#policy-save");
        await Expect(page.Locator("#policy-error")).ToContainTextAsync("ERR_BURROW_2021");
        await Expect(page.Locator("#policy-error")).ToContainTextAsync("line 3, column 15 (on_http_request[0].actions[0].type)");
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(await api.GetStringAsync("reserved_domains", ct)).RootElement[0].GetProperty("traffic_policy").ValueKind);
        await page.FillAsync("#policy-text", "on_http_request:\n  - actions:\n      - type: deny\n");
        await page.ClickAsync("#policy-save");
        await Expect(page.Locator("#policy-editor")).ToBeHiddenAsync();
        await Expect(domainRow.Locator("td").Nth(3)).ToHaveTextAsync("pinned (3 lines)");
        Assert.Equal("on_http_request:\n  - actions:\n      - type: deny\n", JsonDocument.Parse(await api.GetStringAsync("reserved_domains", ct)).RootElement[0].GetProperty("traffic_policy").GetString());

        await domainRow.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Release" }).ClickAsync();
        await Expect(domainRow).ToHaveCountAsync(0);
        Assert.DoesNotContain("webdemo.localhost", await api.GetStringAsync("reserved_domains", ct), StringComparison.Ordinal);

        // Kill: the agent is told, and the session leaves the table.
        ILocator sessionRow = page.Locator($"#sessions tbody tr[data-id='{sessionId}']");
        await sessionRow.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Kill" }).ClickAsync();
        await agent.Process.WaitForLineAsync("ERR_BURROW_8007", TimeSpan.FromSeconds(30));
        await Expect(sessionRow).ToHaveCountAsync(0, new LocatorAssertionsToHaveCountOptions { Timeout = 30_000 });
    }

    [Fact]
    public async Task The_certificates_section_shows_each_certificate_with_its_state_and_last_error_and_follows_the_store()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using var edge = await EdgeRun.StartAsync();

        // What edges ordering over ACME leave in the store, written the way they write it (a second process on the SQLite file).
        DateTimeOffset now = DateTimeOffset.UtcNow;
        byte[] storeKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        await using var store = await Burrow.Storage.ControlStore.OpenAsync(new Burrow.Storage.StoreOptions { DataDirectory = edge.DataDir, SealingKey = () => storeKey }, ct);
        await store.SaveCertificateAsync(Row(["*.tunnel.test", "tunnel.test"], now), ct);
        await store.SaveCertificateAsync(Row(["app.customer.test"], now), ct);
        await store.RecordCertificateAttemptAsync(["app.customer.test"], null, "ERR_BURROW_5204: The ACME server at https://ca.test/dir could not be used: connection refused.", now.AddMinutes(5), ct);

        await using IBrowserContext context = await _browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1500, Height = 1000 } });
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(edge.AdminUrl!);
        await page.FillAsync("#api-key", edge.ApiKey!);
        await page.ClickAsync("#login-submit");

        ILocator wildcard = page.Locator("#certificates tbody tr", new PageLocatorOptions { HasText = "*.tunnel.test, tunnel.test" });
        await Expect(wildcard).ToHaveCountAsync(1);
        await Expect(wildcard.Locator("td").Nth(1)).ToHaveTextAsync("valid");
        await Expect(wildcard.Locator("td").Nth(1)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("state-valid"));
        await Expect(wildcard.Locator("td").Nth(2)).ToHaveTextAsync("CN=Test CA");
        await Expect(wildcard.Locator("td").Nth(4)).ToHaveTextAsync("-");

        ILocator custom = page.Locator("#certificates tbody tr", new PageLocatorOptions { HasText = "app.customer.test" });
        await Expect(custom.Locator("td").Nth(1)).ToHaveTextAsync("renewal-failing");
        await Expect(custom.Locator("td").Nth(1)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("state-renewal-failing"));
        await Expect(custom.Locator("td").Nth(4)).ToContainTextAsync("ERR_BURROW_5204");
        await Expect(custom.Locator("td").Nth(5)).Not.ToBeEmptyAsync();

        // A first order failing on any edge shows up within a poll, without a reload; the key never reaches the page.
        await store.RecordCertificateAttemptAsync(["new.customer.test"], "https://ca.test/dir", "ERR_BURROW_5203: The ACME server could not validate new.customer.test with http-01.", now.AddSeconds(30), ct);
        ILocator pending = page.Locator("#certificates tbody tr", new PageLocatorOptions { HasText = "new.customer.test" });
        await Expect(pending.Locator("td").Nth(1)).ToHaveTextAsync("pending", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Expect(pending.Locator("td").Nth(4)).ToContainTextAsync("ERR_BURROW_5203");
        await Expect(page.Locator("#certificates tbody tr")).ToHaveCountAsync(3);
        Assert.DoesNotContain("PRIVATE KEY", await page.ContentAsync(), StringComparison.Ordinal);
        await page.Locator("#certificates").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "admin-certificates.png") });
    }

    private static Burrow.Storage.NewCertificate Row(string[] names, DateTimeOffset now) => new()
    {
        Names = names,
        DirectoryUrl = "https://ca.test/dir",
        Issuer = "CN=Test CA",
        Serial = "01",
        NotBefore = now.AddDays(-1),
        NotAfter = now.AddDays(89),
        ChainPem = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
        KeyPem = "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n",
        NextAttempt = now.AddDays(59),
    };
}

using System.Text;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Burrow.EndToEnd.Tests.Inspector;

/// <summary>The inspector page in a real Chromium against the real agent: live list, readable bodies, edited replay.</summary>
public sealed class InspectorPageTests(InspectorFixture fixture, ChromiumFixture chromium) : IClassFixture<InspectorFixture>, IClassFixture<ChromiumFixture>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Patient = new() { Timeout = 30_000 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 120_000)]
    public async Task Request_through_the_tunnel_appears_live_and_its_json_body_is_pretty()
    {
        await using IBrowserContext context = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(fixture.WebUrl, "/inspect/http").ToString());
        await Expect(page.Locator("#session")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^online"), new() { Timeout = 30_000 });

        // Made after the page loaded: only the live stream can bring it in.
        using var content = new StringContent("{\"order\":42,\"items\":[\"book\",\"pen\"],\"paid\":true}", Encoding.UTF8, "application/json");
        (await fixture.Client.PostAsync(new Uri(fixture.Agent.HttpsUrl, "/record/browser-json?src=test"), content, Ct)).Dispose();

        ILocator row = page.Locator("#requests li.req").Filter(new() { HasText = "/record/browser-json?src=test" });
        await Expect(row).ToBeVisibleAsync(Patient);
        await Expect(row.Locator(".method")).ToHaveTextAsync("POST");
        await Expect(row.Locator(".status")).ToHaveTextAsync("200");

        await row.ClickAsync();
        ILocator body = page.Locator("#req-body");
        await Expect(body).ToBeVisibleAsync(Patient);
        await Expect(body).ToHaveAttributeAsync("data-kind", "json");
        string shown = await body.InnerTextAsync();
        Assert.Contains("{\n  \"order\": 42,\n  \"items\": [\n    \"book\",\n    \"pen\"\n  ],\n  \"paid\": true\n}", shown, StringComparison.Ordinal);
        await Expect(page.Locator("#resp-body")).ToHaveAttributeAsync("data-kind", "json");

        string? dir = Environment.GetEnvironmentVariable("BURROW_SCREENSHOT_DIR");
        if (!string.IsNullOrEmpty(dir))
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "inspector.png"), FullPage = false });
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Edited_replay_reaches_the_upstream_and_appears_as_a_new_entry()
    {
        await using IBrowserContext context = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        IPage page = await context.NewPageAsync();
        using var content = new StringContent("{\"step\":1}", Encoding.UTF8, "application/json");
        (await fixture.Client.PostAsync(new Uri(fixture.Agent.HttpsUrl, "/record/browser-original"), content, Ct)).Dispose();
        await page.GotoAsync(new Uri(fixture.WebUrl, "/inspect/http").ToString());

        ILocator original = page.Locator("#requests li.req").Filter(new() { HasText = "/record/browser-original" });
        await Expect(original).ToBeVisibleAsync(Patient);
        await original.ClickAsync();
        await page.Locator("#edit-replay").ClickAsync();
        await Expect(page.Locator("#edit-dialog")).ToBeVisibleAsync(Patient);
        await page.Locator("#edit-method").SelectOptionAsync("PUT");
        await page.Locator("#edit-path").FillAsync("/record/browser-edited?v=2");
        await page.Locator("#edit-body").FillAsync("{\"step\":2}");
        await page.Locator("#edit-send").ClickAsync();

        ILocator replayed = page.Locator("#requests li.req").Filter(new() { HasText = "/record/browser-edited?v=2" });
        await Expect(replayed).ToBeVisibleAsync(Patient);
        await Expect(replayed.Locator(".badge-replay")).ToBeVisibleAsync(Patient);
        await Expect(replayed.Locator(".method")).ToHaveTextAsync("PUT");
        Assert.Contains("PUT /record/browser-edited?v=2 {\"step\":2}", fixture.Upstream.Recorded);
        // The original is still there, unmarked.
        await Expect(original.Locator(".badge-replay")).ToHaveCountAsync(0);
    }

    [Fact(Timeout = 120_000)]
    public async Task Filters_narrow_the_list_by_text_method_and_status()
    {
        await using IBrowserContext context = await chromium.Browser.NewContextAsync();
        IPage page = await context.NewPageAsync();
        (await fixture.Client.GetAsync(new Uri(fixture.Agent.HttpsUrl, "/record/filter-get"), Ct)).Dispose();
        (await fixture.Client.GetAsync(new Uri(fixture.Agent.HttpsUrl, "/no-such-path-filter"), Ct)).Dispose();
        await page.GotoAsync(new Uri(fixture.WebUrl, "/inspect/http").ToString());
        ILocator get = page.Locator("#requests li.req").Filter(new() { HasText = "/record/filter-get" });
        ILocator missing = page.Locator("#requests li.req").Filter(new() { HasText = "/no-such-path-filter" });
        await Expect(get).ToBeVisibleAsync(Patient);
        await Expect(missing).ToBeVisibleAsync(Patient);

        await page.Locator("#filter-status").SelectOptionAsync("4");
        await Expect(get).ToBeHiddenAsync();
        await Expect(missing).ToBeVisibleAsync();

        await page.Locator("#filter-status").SelectOptionAsync("");
        await page.Locator("#filter-text").FillAsync("filter-get");
        await Expect(get).ToBeVisibleAsync();
        await Expect(missing).ToBeHiddenAsync();

        await page.Locator("#filter-text").FillAsync("");
        await page.Locator("#filter-method").SelectOptionAsync("POST");
        await Expect(get).ToBeHiddenAsync();
    }
}

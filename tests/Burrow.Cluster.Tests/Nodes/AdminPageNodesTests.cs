using System.Globalization;
using Burrow.Cluster.Tests.Harness;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Storage.Tests.Harness;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Burrow.Cluster.Tests.Nodes;

/// <summary>
/// The admin page's Nodes section in a real browser (Debian's chromium) against two real nodes: both listed with their
/// state, load and the node link's RTT, live, without a reload; a SIGKILLed node turns <c>gone</c> once its lease runs out.
/// </summary>
[Collection(ClusterPostgres.Name)]
public sealed class AdminPageNodesTests(PostgresServer postgres, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly float Wait = 60_000;

    [Fact(Timeout = 300_000)]
    public async Task The_admin_page_lists_the_nodes_with_load_and_link_and_shows_a_killed_one_gone()
    {
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres, "edge-a", "edge-b");
        await using Upstream upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using AgentRun agent = await AgentRun.StartAsync(
            [upstream.Port.ToString(CultureInfo.InvariantCulture), "--url", "page.localhost", "--legs", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-a")],
            state.Path, timeout: TimeSpan.FromSeconds(60));

        await using IBrowserContext context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(cluster.Nodes["edge-a"].AdminUrl!);
        await page.FillAsync("#api-key", cluster.ApiKey!);
        await page.ClickAsync("#login-submit");

        ILocator self = page.Locator("#nodes tbody tr", new PageLocatorOptions { HasText = "edge-a (this node)" });
        ILocator other = page.Locator("#nodes tbody tr", new PageLocatorOptions { HasText = "edge-b" });
        await Expect(self).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = Wait });
        await Expect(self).ToContainTextAsync("live");
        // The load the node wrote with its heartbeat: the agent's tunnel and session (written every 2 s).
        await Expect(self).ToContainTextAsync("tunnels=1", new LocatorAssertionsToContainTextOptions { Timeout = Wait });
        await Expect(self).ToContainTextAsync("sessions=1");
        await Expect(other).ToContainTextAsync("live");
        await Expect(other).ToContainTextAsync(cluster.Nodes["edge-b"].AgentAddress!);
        // The link from edge-a to edge-b, with the RTT of its last ping (pinged every 2 s).
        await Expect(other).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"(dialed|accepted)\s*[0-9.]+ ms"), new LocatorAssertionsToContainTextOptions { Timeout = Wait });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "admin-page-nodes.png"), FullPage = true });

        // edge-b SIGKILLed: its link drops at once, and once its lease (10 s) runs out the page shows it gone.
        cluster.Kill("edge-b");
        await Expect(other).ToContainTextAsync("gone", new LocatorAssertionsToContainTextOptions { Timeout = Wait });
        await Expect(other).ToContainTextAsync("none");
        await Expect(self).ToContainTextAsync("live");
    }
}

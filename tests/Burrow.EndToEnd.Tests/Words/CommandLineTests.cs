using System.Globalization;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Words;

/// <summary>What the command line says back: a short answer to a typo, and the flags the error hints advise.</summary>
public sealed class CommandLineTests(TunnelFixture fixture) : IClassFixture<TunnelFixture>
{
    [Fact(Timeout = 60_000)]
    public async Task Mistyped_flag_prints_the_suggestion_and_one_usage_line_not_the_help()
    {
        var (exit, output) = await BurrowProcess.RunToEndAsync(["http", "8080", "--subdomian", "demo"]);

        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, exit);
        Assert.Contains("[stderr] Did you mean --subdomain instead of --subdomian?", lines);
        Assert.Equal("[stderr] Run 'burrow http --help' for usage.", lines[^1]);
        Assert.DoesNotContain("Options:", output, StringComparison.Ordinal);
        Assert.True(lines.Length <= 5, output);
    }

    [Fact(Timeout = 60_000)]
    public async Task Subdomain_flag_asks_for_that_name_under_the_edge_domain()
    {
        await using AgentRun agent = await fixture.StartAgentAsync(
            [fixture.Upstream.Port.ToString(CultureInfo.InvariantCulture), "--subdomain", "words-demo"]);

        Assert.StartsWith("words-demo.", agent.HttpsUrl.Host, StringComparison.Ordinal);
        using HttpResponseMessage response = await fixture.Client.GetAsync(new Uri(agent.HttpsUrl, "/hello"), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Subdomain_and_url_together_is_a_clear_error()
    {
        var (exit, output) = await BurrowProcess.RunToEndAsync(["http", "8080", "--url", "a", "--subdomain", "b"]);

        Assert.Equal(2, exit);
        Assert.Contains("ERR_BURROW_7020: --url and --subdomain cannot be given together", output, StringComparison.Ordinal);
    }
}

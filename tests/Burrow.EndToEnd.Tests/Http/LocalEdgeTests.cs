using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Http;

/// <summary><c>burrow http PORT</c> with no edge configured starts one in the same process, on loopback.</summary>
public sealed class LocalEdgeTests
{
    [Fact(Timeout = 60_000)]
    public async Task Http_without_server_serves_a_localhost_url_from_an_embedded_edge()
    {
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var agent = await AgentRun.StartAsync([upstream.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--local-https-port", "0"], state.Path);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(15), $"the URL took {started.Elapsed}");
        Assert.EndsWith(".localhost", agent.HttpsUrl.Host, StringComparison.Ordinal);

        var ca = await agent.Process.WaitForLineAsync(@"Trust its CA for HTTPS: (\S+)");
        Assert.Contains("run 'burrow trust' to make browsers trust it", ca.Value + agent.Process.Output, StringComparison.Ordinal);
        var (exit, stdout, stderr) = await Curl.RunAsync(["--cacert", ca.Groups[1].Value, new Uri(agent.HttpsUrl, "/hello").ToString()]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from upstream", stdout);
    }
}

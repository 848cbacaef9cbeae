using System.Globalization;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.PublicTls;

/// <summary><c>burrow http --hsts</c>: the edge adds Strict-Transport-Security to that tunnel's HTTPS responses only.</summary>
public sealed class HstsTests
{
    [Fact(Timeout = 120_000)]
    public async Task Hsts_is_added_to_the_tunnels_https_responses_only_never_over_http_nor_to_other_tunnels()
    {
        await using var edge = await EdgeRun.StartAsync();
        await using var upstream = await Upstream.StartAsync();
        string port = upstream.Port.ToString(CultureInfo.InvariantCulture);
        using var stateA = new TempDirectory();
        using var stateB = new TempDirectory();
        using var stateC = new TempDirectory();
        await using var custom = await AgentRun.StartAsync(
            [port, "--hsts-max-age", "1d", "--hsts-include-subdomains", "--basic-auth", "alice:correct-horse", .. edge.AgentArgs()], stateA.Path);
        await using var plain = await AgentRun.StartAsync([port, "--hsts", .. edge.AgentArgs()], stateB.Path);
        await using var none = await AgentRun.StartAsync([port, .. edge.AgentArgs()], stateC.Path);

        // The edge's own answer (basic auth's 401) carries it as well as the upstream's.
        Assert.Equal(["max-age=86400; includeSubDomains"], await HstsAsync(edge, custom.HttpsUrl, "-o", "/dev/null"));
        Assert.Equal(["max-age=86400; includeSubDomains"], await HstsAsync(edge, custom.HttpsUrl, "-u", "alice:correct-horse"));
        Assert.Empty(await HstsAsync(edge, custom.HttpUrl!, "-u", "alice:correct-horse"));

        Assert.Equal(["max-age=63072000"], await HstsAsync(edge, plain.HttpsUrl));
        Assert.Empty(await HstsAsync(edge, plain.HttpUrl!));
        Assert.Empty(await HstsAsync(edge, none.HttpsUrl));

        // includeSubDomains alone is refused by the edge's check of the bind, naming the option.
        using var stateD = new TempDirectory();
        await using var refused = await AgentRun.StartAsync([port, "--hsts-include-subdomains", .. edge.AgentArgs()], stateD.Path, waitForUrl: false);
        await refused.Process.WaitForLineAsync("ERR_BURROW_2004.*hsts_include_subdomains", TimeSpan.FromSeconds(30));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bad_hsts_max_age_stops_the_agent_before_it_connects()
    {
        var (exit, output) = await BurrowProcess.RunToEndAsync(["http", "8080", "--hsts-max-age", "20y", "--server", "127.0.0.1:1", "--authtoken", "brw_x"], timeout: TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, exit);
        Assert.Contains("is not an HSTS max-age", output, StringComparison.Ordinal);
    }

    /// <summary>The Strict-Transport-Security values of the response to <c>GET /hello</c>, read by curl.</summary>
    private static async Task<List<string>> HstsAsync(EdgeRun edge, Uri tunnel, params string[] extra)
    {
        var (exit, stdout, stderr) = await Curl.RunAsync(["--cacert", edge.CaPath, "-D", "-", .. extra, new Uri(tunnel, "/hello").ToString()]);
        Assert.True(exit == 0, $"curl {tunnel} exited {exit}: {stderr}");
        return stdout.Split('\n')
            .Where(line => line.StartsWith("strict-transport-security:", StringComparison.OrdinalIgnoreCase))
            .Select(line => line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
            .ToList();
    }
}

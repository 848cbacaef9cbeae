using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.FirstHour;

/// <summary>
/// The first hour of a new user, as README.md tells it, on a machine where other programs hold Burrow's usual ports
/// (4040, 4041, 8443): each thing a person met there (issue 11), driven through the real executable.
/// </summary>
public sealed class FirstHourTests
{
    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    [Fact(Timeout = 120_000)]
    public async Task The_readme_quick_start_works_when_4040_4041_and_8443_are_taken_and_stops_at_once()
    {
        using PortHolder held = await PortHolder.HoldAsync(TimeSpan.FromSeconds(60), 4040, 4041, 8443);
        await using var upstream = await Upstream.StartAsync();
        using var home = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([I(upstream.Port)], home.Path);

        // The moves are said, not silent.
        Match https = await agent.Process.WaitForLineAsync(@"Port 8443 is taken: the local edge's HTTPS is on port (\d+) instead");
        Assert.Equal(https.Groups[1].Value, I(agent.HttpsUrl.Port));
        Uri web = await agent.WebUrlAsync();
        Assert.NotEqual(4040, web.Port);
        Assert.NotEqual(4041, web.Port);
        await agent.Process.WaitForLineAsync(@"Port 4040 was taken .*the web interface and agent API are on " + Regex.Escape(web.ToString().TrimEnd('/')));

        // The agent API is found through burrow itself, not by guessing that 4040 is ours.
        (int statusExit, string status) = await BurrowProcess.RunToEndAsync(["status", "--url"], Env(home));
        Assert.Equal(0, statusExit);
        Assert.Contains(agent.HttpsUrl.ToString().TrimEnd('/'), status, StringComparison.Ordinal);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using JsonDocument tunnels = JsonDocument.Parse(await http.GetStringAsync(new Uri(web, "/api/tunnels")));
        Assert.Equal(agent.HttpsUrl.ToString().TrimEnd('/'), tunnels.RootElement.GetProperty("tunnels")[0].GetProperty("public_url").GetString());

        // The README's curl, with the CA the agent printed.
        string ca = (await agent.Process.WaitForLineAsync(@"Trust its CA for HTTPS: (\S+)")).Groups[1].Value;
        var (curlExit, body, curlErr) = await Curl.RunAsync(["--cacert", ca, new Uri(agent.HttpsUrl, "/hello").ToString()]);
        Assert.True(curlExit == 0, curlErr);
        Assert.Equal("hello from upstream", body);
        Assert.Contains("burrow trust", agent.Process.Output, StringComparison.Ordinal);

        // One version, whoever says it.
        (_, string version) = await BurrowProcess.RunToEndAsync(["--version"]);
        using JsonDocument agentStatus = JsonDocument.Parse(await http.GetStringAsync(new Uri(web, "/api/status")));
        Assert.StartsWith(agentStatus.RootElement.GetProperty("agent_version").GetString()!, version.Trim(), StringComparison.Ordinal);

        // curl's one connection and one request are counted as such (the edge reports them within a second).
        await WaitForCountsAsync(http, web, connections: 1, requests: 1);

        // A stop with a request in flight: it is cut (or finished), and the process is gone at once, not 30 s later.
        Task<(int, string, string)> inFlight = Curl.RunAsync(["--fail", "--cacert", ca, new Uri(agent.HttpsUrl, "/slow?ms=30000").ToString()], TimeSpan.FromSeconds(60));
        await WaitForInFlightAsync(http, web);
        var stopping = Stopwatch.StartNew();
        agent.Process.Terminate();
        int exit = await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(20));
        stopping.Stop();
        Assert.Equal(0, exit);
        // Generous for a loaded CI machine; bench/first-hour/stop-time.sh prints the real figure (about 0.1 s).
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"the agent took {stopping.Elapsed} to stop");
        (int curlAfter, _, _) = await inFlight;
        Assert.NotEqual(0, curlAfter);

        (int noneExit, string none) = await BurrowProcess.RunToEndAsync(["status"], Env(home));
        Assert.Equal(1, noneExit);
        Assert.Contains("No burrow agent is running", none, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    // SIGTERM, not SIGINT: a test host started in the background inherits SIGINT ignored, and the runtime (rightly, as
    // a shell does) leaves an ignored SIGINT ignored. Both signals take the same path in Program.
    public async Task A_second_stop_signal_quits_at_once_while_the_first_drains()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync(extra: ["--drain-timeout", "2m"]);
        using var home = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([I(upstream.Port), "--web-addr", "127.0.0.1:0", .. edge.AgentArgs()], home.Path);
        Task<(int, string, string)> inFlight = Curl.RunAsync(["--cacert", edge.CaPath, new Uri(agent.HttpsUrl, "/slow?ms=60000").ToString()], TimeSpan.FromSeconds(90));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        await WaitForInFlightAsync(http, await agent.WebUrlAsync());

        Signal(edge.Process, "TERM");
        await edge.Process.WaitForLineAsync("^Shutting down: draining requests in flight");
        // Draining: a request in flight may take its two minutes...
        Assert.False(edge.Process.HasExited);
        // ...unless the person presses Ctrl+C again.
        var second = Stopwatch.StartNew();
        Signal(edge.Process, "TERM");
        await edge.Process.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.True(second.Elapsed < TimeSpan.FromSeconds(5), $"the second interrupt took {second.Elapsed}");
        await inFlight;
    }

    [Fact(Timeout = 120_000)]
    public async Task A_failed_first_server_start_creates_nothing_and_the_next_start_prints_the_secrets()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        string admin = taken.LocalEndpoint.ToString()!;
        using var dataDir = new TempDirectory();

        (int failedExit, string failed) = await BurrowProcess.RunToEndAsync(
            ["server", "--agent-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--admin-addr", admin, "--data-dir", dataDir.Path]);
        Assert.NotEqual(0, failedExit);
        Assert.Contains($"ERR_BURROW_5011: The edge's admin listener cannot listen on {admin} (--admin-addr)", failed, StringComparison.Ordinal);
        Assert.DoesNotContain("--http-addr", failed, StringComparison.Ordinal);
        // One line, no host stack trace.
        Assert.DoesNotContain("Exception", failed, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s+at ", failed);
        Assert.False(File.Exists(Path.Combine(dataDir.Path, "admin-api-key")));

        // The same directory, the port freed: the store is still empty, so this start prints what the first could not.
        await using var edge = await EdgeRun.StartAsync(dataDir: dataDir.Path, token: null);
        Assert.NotNull(edge.BootstrapApiKey);
        Assert.StartsWith("brw_", edge.Token, StringComparison.Ordinal);
        // burrow admin finds this edge's admin address through its data directory, not the default port.
        var list = await AdminCli.RunRawAsync(["admin", "token", "list", "--data-dir", dataDir.Path, "--json"]);
        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Equal(1, list.Json.GetArrayLength());
    }

    [Fact(Timeout = 120_000)]
    public async Task A_store_without_a_usable_authtoken_or_admin_key_says_how_to_make_one()
    {
        using var dataDir = new TempDirectory();
        await using (EdgeRun first = await EdgeRun.StartAsync(dataDir: dataDir.Path, token: null))
        {
            var tokens = await AdminCli.RunAsync(first, "token", "list", "--json");
            string id = tokens.Json[0].GetProperty("id").GetString()!;
            Assert.Equal(0, (await AdminCli.RunAsync(first, "token", "revoke", id)).ExitCode);
        }

        File.Delete(Path.Combine(dataDir.Path, "admin-api-key"));
        await using (EdgeRun second = await EdgeRun.StartAsync(dataDir: dataDir.Path, token: null))
        {
            Assert.Contains("No authtoken in the store can be used", second.Process.Output, StringComparison.Ordinal);
            Assert.Contains($"burrow admin token create --data-dir {dataDir.Path}", second.Process.Output, StringComparison.Ordinal);
            Assert.Contains("Start once with --new-admin-key", second.Process.Output, StringComparison.Ordinal);
        }

        await using EdgeRun third = await EdgeRun.StartAsync(dataDir: dataDir.Path, token: null, extra: ["--new-admin-key"]);
        Match key = await third.Process.WaitForLineAsync(@"Created a new admin API key \(shown once; only its hash is stored\): (brwk_\S+)");
        Assert.Equal(key.Groups[1].Value, File.ReadAllText(Path.Combine(dataDir.Path, "admin-api-key")).Trim());
        var created = await AdminCli.RunRawAsync(["admin", "token", "create", "--data-dir", dataDir.Path]);
        Assert.True(created.ExitCode == 0, created.Output);
        Assert.Matches(@"Authtoken \(shown once, store it now\): brw_", created.Output);
    }

    [Fact(Timeout = 120_000)]
    public async Task The_agent_command_an_edge_on_a_localhost_subdomain_prints_works_as_printed()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync(token: null, extra: ["--domain", "tunnel.localhost"]);
        Match printed = await edge.Process.WaitForLineAsync(@"^\s+burrow http 8080 (--server tunnel\.localhost:\d+ .*)$");
        string[] args = printed.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain("--server-name", args);

        using var home = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([I(upstream.Port), "--web-addr", "127.0.0.1:0", .. args], home.Path, timeout: TimeSpan.FromSeconds(30));
        Assert.EndsWith(".tunnel.localhost", agent.HttpsUrl.Host, StringComparison.Ordinal);
        var (exit, body, stderr) = await Curl.RunAsync(["--cacert", edge.CaPath, new Uri(agent.HttpsUrl, "/hello").ToString()]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from upstream", body);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_edge_name_that_does_not_resolve_stops_the_agent_with_what_to_do_unless_retry_forever()
    {
        using var home = new TempDirectory();
        await using var agent = await AgentRun.StartAsync(["8080", "--server", "no-such-edge.invalid:4443", "--authtoken", "brw_x", "--web-addr", "false"], home.Path, waitForUrl: false);
        Assert.Equal(1, await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("ERR_BURROW_1008: The edge's host name 'no-such-edge.invalid' does not resolve", agent.Process.Output, StringComparison.Ordinal);
        Assert.Contains("--retry forever", agent.Process.Output, StringComparison.Ordinal);

        await using var patient = await AgentRun.StartAsync(["8080", "--server", "no-such-edge.invalid:4443", "--authtoken", "brw_x", "--web-addr", "false", "--retry", "forever"], home.Path, waitForUrl: false);
        // A fourth failure means the third did not end it.
        await patient.Process.WaitForLineAsync("ERR_BURROW_1008", TimeSpan.FromSeconds(60), skip: 3);
        Assert.False(patient.Process.HasExited);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_untrusted_edge_certificate_stops_the_agent_and_names_edge_ca()
    {
        await using var edge = await EdgeRun.StartAsync();
        using var home = new TempDirectory();
        await using var agent = await AgentRun.StartAsync(
            ["8080", "--server", edge.AgentAddress, "--server-name", "localhost", "--authtoken", edge.Token, "--web-addr", "false"], home.Path, waitForUrl: false);
        Assert.Equal(1, await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Matches(@"ERR_BURROW_1009: The edge at \S+ presented a certificate this agent does not trust: it is issued by '.*Burrow local CA", agent.Process.Output);
        Assert.Contains("--edge-ca", agent.Process.Output, StringComparison.Ordinal);
    }

    private static async Task WaitForCountsAsync(HttpClient http, Uri web, long connections, long requests)
    {
        string last = "";
        for (int i = 0; i < 100; i++)
        {
            using JsonDocument doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(web, "/api/tunnels")));
            JsonElement metrics = doc.RootElement.GetProperty("tunnels")[0].GetProperty("metrics");
            last = metrics.ToString();
            if (metrics.GetProperty("conns").GetProperty("count").GetInt64() == connections && metrics.GetProperty("http").GetProperty("count").GetInt64() == requests)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"expected {connections} connection(s) and {requests} request(s); the agent API says {last}");
    }

    private static Dictionary<string, string> Env(TempDirectory home) => new()
    {
        ["BURROW_STATE_DIR"] = home.Path,
        ["XDG_DATA_HOME"] = Path.Combine(home.Path, "data"),
    };

    private static void Signal(BurrowProcess process, string signal) =>
        Process.Start("kill", [$"-{signal}", I(process.Id)])!.WaitForExit();

    // The inspector lists a request once it is answered, so a request in flight is seen at the upstream instead: the
    // agent's connection counters say a stream is open.
    private static async Task WaitForInFlightAsync(HttpClient http, Uri web)
    {
        for (int i = 0; i < 100; i++)
        {
            using JsonDocument doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(web, "/api/tunnels")));
            if (doc.RootElement.GetProperty("tunnels")[0].GetProperty("metrics").GetProperty("conns").GetProperty("gauge").GetInt64() > 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the request never reached the agent");
    }
}

using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Burrow.Acme.Tests.Pebble;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Acme;

/// <summary>
/// On-demand certificates for reserved hostnames outside <c>*.DOMAIN</c> (issue 14 item 2), against Debian's pebble:
/// the real <c>burrow server --acme-email</c> with Pebble's <c>httpPort</c>/<c>tlsPort</c> at the edge's loopback HTTP and
/// HTTPS listeners and Pebble resolving through <see cref="CustomZoneResolver"/> (the edge's zone forwarded to the edge's
/// DNS, every custom name at 127.0.0.1). A real agent binds the reserved name; curl and openssl verify the chain served
/// for that SNI against Pebble's root, and the request reaches the agent's upstream.
/// </summary>
public sealed class OnDemandCertificateTests(ITestOutputHelper output) : IAsyncDisposable
{
    private const string Domain = "burrow.test";
    private readonly TempDirectory _dir = new();
    private readonly List<IAsyncDisposable> _running = [];
    private CustomZoneResolver? _resolver;

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    [Fact(Timeout = 240_000)]
    public async Task Reserved_custom_hostname_gets_a_pebble_certificate_over_http01_and_an_unreserved_one_gets_no_order()
    {
        Assert.SkipUnless(File.Exists(PebbleServer.Binary), "pebble is not installed (apt-get install pebble)");
        var (pebble, edge, root) = await StartAsync(challenge: null);
        Assert.Contains("a certificate each when a tunnel first binds one (http-01", edge.Process.Output, StringComparison.Ordinal);
        await edge.Process.WaitForLineAsync(@"ACME certificate installed for \*\.burrow\.test", TimeSpan.FromSeconds(90));
        Assert.Equal(0, (await AdminCli.RunAsync(edge, "domain", "reserve", "app.customer.test")).ExitCode);

        await using var upstream = await Upstream.StartAsync();
        await using var agent = await StartAgentAsync(edge, upstream, "app.customer.test");
        await edge.Process.WaitForLineAsync(@"ACME certificate installed for app\.customer\.test, .* via http-01", TimeSpan.FromSeconds(90));

        await AssertServedThroughVerifiedTlsAsync(edge, root, "app.customer.test");
        // The challenge type is the edge's line above; Pebble's own lines show it validated the name.
        output.WriteLine(PebbleValidations(pebble.Log, "app.customer.test"));
        Assert.NotEmpty(PebbleValidations(pebble.Log, "app.customer.test"));
        Assert.Equal(2, Orders(pebble.Log));
        // Kept in the control store beside the wildcard (no files), and listed by burrow admin certs with its state.
        Assert.False(Directory.Exists(Path.Combine(edge.DataDir, "acme")), "certificate files were written to the data directory");
        AdminCli.Result certs = await AdminCli.RunAsync(edge, "certs", "--json");
        Assert.True(certs.ExitCode == 0, certs.Output);
        System.Text.Json.JsonElement custom = certs.Json.EnumerateArray().Single(c => c.GetProperty("names")[0].GetString() == "app.customer.test");
        Assert.Equal("valid", custom.GetProperty("state").GetString());
        Assert.Equal("acme", custom.GetProperty("source").GetString());
        Assert.Contains("Pebble Intermediate CA", custom.GetProperty("issuer").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, certs.Json.GetArrayLength());
        // /healthz lists the name with its state beside the wildcard's certificate.
        using (System.Text.Json.JsonDocument health = await HealthAsync(edge))
        {
            output.WriteLine(health.RootElement.ToString());
            Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
            System.Text.Json.JsonElement named = health.RootElement.GetProperty("hostname_certificates").GetProperty("app.customer.test");
            Assert.Equal("valid", named.GetProperty("state").GetString());
            Assert.True(named.TryGetProperty("not_after", out _));
        }

        string table = (await AdminCli.RunAsync(edge, "certs")).Stdout;
        output.WriteLine(table);
        Assert.Contains("app.customer.test", table, StringComparison.Ordinal);

        // A name the token's scope allows but nobody reserved: served (with the local CA's certificate), never ordered.
        AdminCli.Result token = await AdminCli.RunAsync(edge, "token", "create", "--name", "free", "--hostname", "free.customer.test", "--json");
        Assert.Equal(0, token.ExitCode);
        string freeToken = token.Json.GetProperty("token").GetString()!;
        await using var free = await StartAgentAsync(edge, upstream, "free.customer.test", freeToken);
        var (exit, body, errors) = await Curl.RunAsync(["-k", "--resolve", $"free.customer.test:{I(edge.HttpsPort)}:127.0.0.1", $"https://free.customer.test:{I(edge.HttpsPort)}/hello"]);
        Assert.True(exit == 0, $"curl exited {exit}: {errors}");
        Assert.Equal("hello from upstream", body);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.DoesNotMatch(@"ACME: ordering a certificate for free\.customer\.test", edge.Process.Output);
        Assert.DoesNotContain("free.customer.test", pebble.Log, StringComparison.Ordinal);
        Assert.Equal(2, Orders(pebble.Log));
        (exit, _, _) = await Curl.RunAsync(["--cacert", root, "--resolve", $"free.customer.test:{I(edge.HttpsPort)}:127.0.0.1", $"https://free.customer.test:{I(edge.HttpsPort)}/hello"]);
        Assert.NotEqual(0, exit);

        // HTTP-01 answers come before routing, for any Host: an unknown token is 404, not the tunnel's.
        (exit, string code, errors) = await Curl.RunAsync(["-o", "/dev/null", "-w", "%{http_code}", $"http://127.0.0.1:{I(edge.HttpPort)}/.well-known/acme-challenge/nothing", "-H", "Host: app.customer.test"]);
        Assert.True(exit == 0, errors);
        Assert.Equal("404", code);

        // A restart serves the saved certificate at once and orders nothing new.
        await agent.DisposeAsync();
        await free.DisposeAsync();
        await edge.DisposeAsync();
        _running.Remove(edge);
        await using var again = await EdgeRun.StartAsync(edge.DataDir, token: null, extra: EdgeArgs(null), httpsAddr: $"127.0.0.1:{I(edge.HttpsPort)}", httpAddr: $"127.0.0.1:{I(edge.HttpPort)}", logLevel: "info");
        await again.Process.WaitForLineAsync(@"ACME certificate reused from the control store for app\.customer\.test", TimeSpan.FromSeconds(30));
        await using var back = await StartAgentAsync(again, upstream, "app.customer.test", edge.Token);
        await AssertServedThroughVerifiedTlsAsync(again, root, "app.customer.test");
        Assert.Equal(2, Orders(pebble.Log));
    }

    [Fact(Timeout = 240_000)]
    public async Task Reserved_custom_hostname_gets_a_pebble_certificate_over_tls_alpn01()
    {
        Assert.SkipUnless(File.Exists(PebbleServer.Binary), "pebble is not installed (apt-get install pebble)");
        var (pebble, edge, root) = await StartAsync(challenge: "tls-alpn-01");
        Assert.Equal(0, (await AdminCli.RunAsync(edge, "domain", "reserve", "alpn.customer.test")).ExitCode);

        await using var upstream = await Upstream.StartAsync();
        await using var agent = await StartAgentAsync(edge, upstream, "alpn.customer.test");
        await edge.Process.WaitForLineAsync(@"ACME certificate installed for alpn\.customer\.test, .* via tls-alpn-01", TimeSpan.FromSeconds(90));

        await AssertServedThroughVerifiedTlsAsync(edge, root, "alpn.customer.test");
        output.WriteLine(PebbleValidations(pebble.Log, "alpn.customer.test"));
        Assert.NotEmpty(PebbleValidations(pebble.Log, "alpn.customer.test"));
        // No challenge is pending any more: an acme-tls/1 hello gets no challenge certificate, and no protocol.
        var (_, text, _) = await Tool.RunAsync(
            "openssl", ["s_client", "-connect", $"127.0.0.1:{I(edge.HttpsPort)}", "-servername", "alpn.customer.test", "-alpn", "acme-tls/1"],
            stdin: "", timeout: TimeSpan.FromSeconds(30));
        Assert.DoesNotContain("ALPN protocol: acme-tls/1", text, StringComparison.Ordinal);
    }

    [Fact(Timeout = 240_000)]
    public async Task Failing_challenge_is_logged_with_its_code_and_backs_off()
    {
        Assert.SkipUnless(File.Exists(PebbleServer.Binary), "pebble is not installed (apt-get install pebble)");
        var (pebble, edge, _) = await StartAsync(challenge: null);
        string name = "app." + CustomZoneResolver.UnreachableZone;
        Assert.Equal(0, (await AdminCli.RunAsync(edge, "domain", "reserve", name)).ExitCode);

        await using var upstream = await Upstream.StartAsync();
        await using var agent = await StartAgentAsync(edge, upstream, name);
        Match failed = await edge.Process.WaitForLineAsync(
            $@"ACME certificate for {Regex.Escape(name)} not obtained: ERR_BURROW_5203: .*; attempt 1, next at (\S+ \S+); the local CA's certificate is served until then", TimeSpan.FromSeconds(90));
        output.WriteLine(failed.Value);

        // The first retry is 15 s (jittered 80-120%) away: nothing is ordered again meanwhile, and the tunnel serves.
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Single(Regex.Matches(edge.Process.Output, $"ACME: ordering a certificate for {Regex.Escape(name)} "));
        var (exit, body, errors) = await Curl.RunAsync(["-k", "--resolve", $"{name}:{I(edge.HttpsPort)}:127.0.0.1", $"https://{name}:{I(edge.HttpsPort)}/hello"]);
        Assert.True(exit == 0, $"curl exited {exit}: {errors}");
        Assert.Equal("hello from upstream", body);
        Assert.Contains(name, pebble.Log, StringComparison.Ordinal);

        // The failure is in the store: burrow admin certs shows the name pending with the error and the next attempt.
        AdminCli.Result certs = await AdminCli.RunAsync(edge, "certs", "--json");
        Assert.True(certs.ExitCode == 0, certs.Output);
        System.Text.Json.JsonElement pending = certs.Json.EnumerateArray().Single(c => c.GetProperty("names")[0].GetString() == name);
        Assert.Equal("pending", pending.GetProperty("state").GetString());
        Assert.StartsWith("ERR_BURROW_5203", pending.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        Assert.True(pending.GetProperty("next_attempt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddSeconds(-5));

        // /healthz names it pending with the error; a name never served does not make the whole edge degraded.
        await edge.Process.WaitForLineAsync(@"ACME certificate installed for \*\.burrow\.test", TimeSpan.FromSeconds(90));
        using System.Text.Json.JsonDocument health = await HealthAsync(edge);
        output.WriteLine(health.RootElement.ToString());
        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
        System.Text.Json.JsonElement named = health.RootElement.GetProperty("hostname_certificates").GetProperty(name);
        Assert.Equal("pending", named.GetProperty("state").GetString());
        Assert.StartsWith("ERR_BURROW_5203", named.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private string[] EdgeArgs(string? challenge) =>
    [
        "--domain", Domain, "--acme-email", "ops@burrow.test", "--acme-directory", _pebble!.DirectoryUrl.ToString(),
        "--acme-ca-root", _pebble.TlsCertificatePath, "--dns-addr", $"127.0.0.1:{I(_dnsPort)}", .. EdgeRun.WithHealth,
        .. challenge is null ? Array.Empty<string>() : ["--acme-challenge", challenge],
    ];

    private static async Task<System.Text.Json.JsonDocument> HealthAsync(EdgeRun edge)
    {
        using var client = new HttpClient();
        return System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(new Uri($"http://127.0.0.1:{I(edge.HealthPort)}/healthz")));
    }

    private PebbleServer? _pebble;
    private int _dnsPort;

    private async Task<(PebbleServer Pebble, EdgeRun Edge, string RootPath)> StartAsync(string? challenge)
    {
        _dnsPort = FreePorts.TcpAndUdp();
        int httpPort = FreePorts.Tcp(), httpsPort = FreePorts.Tcp();
        _resolver = new CustomZoneResolver(FreePorts.TcpAndUdp(), Domain, _dnsPort);
        _pebble = await PebbleServer.StartAsync(httpPort, httpsPort, _resolver.EndPoint, 0, []);
        _running.Add(_pebble);
        string rootPath = Path.Combine(_dir.Path, "pebble-root.pem");
        await File.WriteAllTextAsync(rootPath, await _pebble.Http.GetStringAsync(new Uri(_pebble.ManagementUrl, "roots/0")));
        var edge = await EdgeRun.StartAsync(
            Path.Combine(_dir.Path, "edge"), token: null, extra: EdgeArgs(challenge), httpsAddr: $"127.0.0.1:{I(httpsPort)}", httpAddr: $"127.0.0.1:{I(httpPort)}", logLevel: "info");
        _running.Insert(0, edge);
        return (_pebble, edge, rootPath);
    }

    private Task<AgentRun> StartAgentAsync(EdgeRun edge, Upstream upstream, string hostname, string? token = null) =>
        AgentRun.StartAsync([I(upstream.Port), "--url", hostname, .. edge.AgentArgs(token)], Directory.CreateDirectory(Path.Combine(_dir.Path, "agent-" + Guid.NewGuid().ToString("n"))).FullName);

    private static async Task AssertServedThroughVerifiedTlsAsync(EdgeRun edge, string root, string host)
    {
        var (exit, body, errors) = await Curl.RunAsync(["--cacert", root, "--resolve", $"{host}:{I(edge.HttpsPort)}:127.0.0.1", $"https://{host}:{I(edge.HttpsPort)}/hello"]);
        Assert.True(exit == 0, $"curl for {host} exited {exit}: {errors}");
        Assert.Equal("hello from upstream", body);

        var (code, text, stderr) = await Tool.RunAsync(
            "openssl", ["s_client", "-connect", $"127.0.0.1:{I(edge.HttpsPort)}", "-servername", host, "-CAfile", root, "-verify_hostname", host, "-verify_return_error"],
            stdin: "", timeout: TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"s_client exited {code}: {stderr}");
        Assert.Contains("Verify return code: 0 (ok)", text, StringComparison.Ordinal);
        Assert.Contains("Pebble Intermediate CA", text, StringComparison.Ordinal);
    }

    private static int Orders(string pebbleLog) => Regex.Count(pebbleLog, "POST /order-plz");

    /// <summary>Pebble's log lines about validating <paramref name="host"/>, which name the challenge type.</summary>
    private static string PebbleValidations(string pebbleLog, string host) =>
        string.Join('\n', pebbleLog.Split('\n').Where(l => l.Contains(host, StringComparison.Ordinal)));

    public async ValueTask DisposeAsync()
    {
        foreach (IAsyncDisposable running in _running)
        {
            await running.DisposeAsync();
        }

        _resolver?.Dispose();
        _dir.Dispose();
    }
}

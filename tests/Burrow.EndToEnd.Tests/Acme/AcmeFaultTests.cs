using System.Globalization;
using System.Net;
using System.Text.Json;
using Burrow.Acme.Tests.Pebble;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Acme;

/// <summary>
/// The real <c>burrow server --acme-email</c> against Debian's pebble when things go wrong: failed authorizations drive
/// the retry with backoff, and the error is visible in <c>burrow admin certs</c>, the admin API and <c>/healthz</c> until
/// the retry succeeds.
/// </summary>
public sealed class AcmeFaultTests(ITestOutputHelper output)
{
    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    [Fact(Timeout = 180_000)]
    public async Task Failed_authorizations_are_retried_with_backoff_and_the_last_error_shows_in_admin_certs_and_health_until_one_succeeds()
    {
        Assert.SkipUnless(File.Exists(PebbleServer.Binary), "pebble is not installed (apt-get install pebble)");
        using var dir = new TempDirectory();
        int dnsPort = FreePorts.TcpAndUdp();
        // Pebble resolves through a relay that answers SERVFAIL: every DNS-01 validation fails until it is healed.
        using var relay = new DnsRelay(new IPEndPoint(IPAddress.Loopback, dnsPort)) { Failing = true };
        await using var pebble = await PebbleServer.StartAsync(FreePorts.Tcp(), FreePorts.Tcp(), relay.EndPoint, 0, []);
        string rootPath = Path.Combine(dir.Path, "pebble-root.pem");
        await File.WriteAllTextAsync(rootPath, await pebble.Http.GetStringAsync(new Uri(pebble.ManagementUrl, "roots/0")));
        string[] acme =
        [
            "--domain", "burrow.test", "--acme-email", "ops@burrow.test", "--acme-directory", pebble.DirectoryUrl.ToString(),
            "--acme-ca-root", pebble.TlsCertificatePath, "--dns-addr", $"127.0.0.1:{I(dnsPort)}", .. EdgeRun.WithHealth,
        ];

        await using var edge = await EdgeRun.StartAsync(Path.Combine(dir.Path, "edge"), extra: acme, logLevel: "info");
        await edge.Process.WaitForLineAsync(@"ACME certificate for \*\.burrow\.test, burrow\.test not obtained: ERR_BURROW_5203", TimeSpan.FromSeconds(60));
        Assert.True(relay.Failed > 0);

        // Meanwhile: pending, with the CA's reason and the next attempt, in the CLI (table and --json) and in health.
        AdminCli.Result json = await AdminCli.RunAsync(edge, "certs", "--json");
        Assert.True(json.ExitCode == 0, json.Output);
        JsonElement pending = json.Json.EnumerateArray().Single();
        Assert.Equal("pending", pending.GetProperty("state").GetString());
        Assert.StartsWith("ERR_BURROW_5203", pending.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        DateTimeOffset next = pending.GetProperty("next_attempt").GetDateTimeOffset();
        Assert.InRange((next - DateTimeOffset.UtcNow).TotalSeconds, 1, 20);

        AdminCli.Result table = await AdminCli.RunAsync(edge, "certs");
        Assert.True(table.ExitCode == 0, table.Output);
        output.WriteLine(table.Stdout);
        Assert.Contains("*.burrow.test, burrow.test", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("pending", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("last error at", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("ERR_BURROW_5203", table.Stdout, StringComparison.Ordinal);

        using (var health = JsonDocument.Parse(await new HttpClient().GetStringAsync(new Uri($"http://127.0.0.1:{I(edge.HealthPort)}/healthz"))))
        {
            Assert.Equal("degraded", health.RootElement.GetProperty("status").GetString());
            Assert.StartsWith("ERR_BURROW_5203", health.RootElement.GetProperty("certificate").GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        // Healed: the next attempt (after the 12-18 s backoff, not before) succeeds and the error is gone.
        relay.Failing = false;
        await edge.Process.WaitForLineAsync(@"ACME certificate installed for \*\.burrow\.test, burrow\.test", TimeSpan.FromSeconds(60));
        Assert.True(DateTimeOffset.UtcNow >= next - TimeSpan.FromSeconds(1), "retried before the backoff ended");
        JsonElement valid = (await AdminCli.RunAsync(edge, "certs", "--json")).Json.EnumerateArray().Single();
        Assert.Equal("valid", valid.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, valid.GetProperty("last_error").ValueKind);
        Assert.Contains("Pebble Intermediate CA", valid.GetProperty("issuer").GetString(), StringComparison.Ordinal);

        var (exit, code, errors) = await Curl.RunAsync(
            ["--cacert", rootPath, "--resolve", $"x.burrow.test:{I(edge.HttpsPort)}:127.0.0.1", "-o", "/dev/null", "-w", "%{http_code}", $"https://x.burrow.test:{I(edge.HttpsPort)}/"]);
        Assert.True(exit == 0, $"curl exited {exit}: {errors}");
        Assert.Equal("404", code);
        using var after = JsonDocument.Parse(await new HttpClient().GetStringAsync(new Uri($"http://127.0.0.1:{I(edge.HealthPort)}/healthz")));
        Assert.Equal("ok", after.RootElement.GetProperty("status").GetString());
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.PublicTls;

/// <summary>
/// Debian's testssl.sh against the real <c>burrow server</c>'s HTTPS listener: nothing it rates MEDIUM or worse, nothing
/// VULNERABLE or "NOT ok", and the issue's findings (CBC suites on TLS 1.2, LUCKY13, no OCSP stapling) gone.
/// </summary>
/// <remarks>
/// The certificate is a test CA's with an OCSP responder (<see cref="OcspTestCa"/>), not Pebble's: Pebble names no OCSP
/// responder, so the revocation and stapling findings would have to be excused instead of checked, and the ACME
/// issuance would add its own start-up to a test that is already the slowest of its kind. The edge code that serves it
/// is the same (<c>CertificateStore</c>, <c>HttpsHandshake</c>). The checks are those the issue is about (protocols,
/// cipher categories, forward secrecy, server defaults with the certificate and OCSP, HTTP headers with HSTS, the
/// vulnerabilities); client simulation and the per-cipher list are left out to bound the time.
/// </remarks>
public sealed class TestsslTests(ITestOutputHelper output)
{
    private const string Testssl = "/usr/bin/testssl";

    /// <summary>Findings allowed at MEDIUM or above, each with why.</summary>
    private static readonly Dictionary<string, string> Allowed = new(StringComparer.Ordinal)
    {
        // X-Frame-Options, Content-Security-Policy, X-Content-Type-Options...: the application's own headers, which the
        // edge passes through as the upstream sends them (the test upstream sends none). Strict-Transport-Security,
        // the one that is about TLS, is checked below.
        ["security_headers"] = "the upstream application's headers, not the edge's",
    };

    [Fact(Timeout = 420_000)]
    public async Task Testssl_finds_nothing_weak_on_the_edges_https()
    {
        Assert.SkipUnless(File.Exists(Testssl), "testssl.sh is not installed (apt-get install testssl.sh)");
        using var dir = new TempDirectory();
        await using var ca = new OcspTestCa(dir.Path);
        var (crt, key) = ca.IssueServer("burrow.test", "*.burrow.test");
        await ca.StartResponderAsync();
        await using var edge = await EdgeRun.StartAsync(extra: ["--domain", "burrow.test", "--tls-cert", crt, "--tls-key", key]);
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync(
            [upstream.Port.ToString(CultureInfo.InvariantCulture), "--url", "web", "--hsts",
             "--server", edge.AgentAddress, "--server-name", "burrow.test", "--authtoken", edge.Token, "--edge-ca", ca.CaPath], state.Path);
        // testssl looks once: wait until the staple is in.
        Assert.Contains("OCSP Response Status: successful", await OcspStaplingTests.StapledHandshakeAsync(edge.HttpsPort, ca.CaPath, "web.burrow.test"), StringComparison.Ordinal);

        string json = Path.Combine(dir.Path, "testssl.json");
        var clock = Stopwatch.StartNew();
        var (exit, stdout, stderr) = await Tool.RunAsync(Testssl,
        [
            "--quiet", "--warnings", "batch", "--color", "0", "--ip", "127.0.0.1", "--add-ca", ca.CaPath, "--jsonfile", json,
            "-p", "-s", "-f", "-S", "-h", "-U", $"https://web.burrow.test:{edge.HttpsPort.ToString(CultureInfo.InvariantCulture)}/",
        ], stdin: "", timeout: TimeSpan.FromMinutes(6));
        output.WriteLine($"testssl ran {clock.Elapsed.TotalSeconds:F0} s, exit {exit}\n{stdout}\n{stderr}");
        Assert.True(File.Exists(json), $"testssl wrote no JSON (exit {exit}): {stderr}");

        using JsonDocument report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var findings = report.RootElement.EnumerateArray()
            .Select(f => (Id: f.GetProperty("id").GetString()!, Severity: f.GetProperty("severity").GetString()!, Finding: f.GetProperty("finding").GetString()!))
            .ToList();
        var bad = findings
            .Where(f => f.Severity is "MEDIUM" or "HIGH" or "CRITICAL" or "FATAL"
                || f.Finding.Contains("VULNERABLE", StringComparison.Ordinal) || f.Finding.Contains("NOT ok", StringComparison.Ordinal))
            .Where(f => !Allowed.ContainsKey(f.Id))
            .ToList();
        Assert.True(bad.Count == 0, "testssl findings:\n" + string.Join("\n", bad.Select(f => $"{f.Severity} {f.Id}: {f.Finding}")));

        string Finding(string id) => findings.Single(f => f.Id == id).Finding;
        Assert.Equal("not offered", Finding("TLS1"));
        Assert.Equal("not offered", Finding("TLS1_1"));
        // "Obsolete CBC ciphers (AES, ARIA etc.)": was "offered" (ECDHE-ECDSA-AES256-SHA384, -AES128-SHA256).
        Assert.Equal("not offered", Finding("cipherlist_AVERAGE"));
        Assert.StartsWith("not vulnerable", Finding("LUCKY13"), StringComparison.Ordinal);
        Assert.StartsWith("offered", Finding("OCSP_stapling"), StringComparison.Ordinal);
        Assert.Contains(findings, f => f.Id.StartsWith("HSTS", StringComparison.Ordinal) && f.Finding.Contains("63072000", StringComparison.Ordinal));
    }
}

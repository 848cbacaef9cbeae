using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Burrow.Acme.Tests.Bind;
using Burrow.Acme.Tests.Pebble;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Acme;

/// <summary>
/// Issue 14's one command against Debian's pebble on loopback: <c>burrow server --domain burrow.test --acme-email ...</c>
/// with Pebble resolving every name through the edge's own DNS server (<c>-dnsserver</c> = <c>--dns-addr</c>), so the
/// wildcard is proven with DNS-01 TXT records the edge answers itself. curl and openssl then verify the chain the
/// edge serves for a tunnel hostname against Pebble's root alone, and a restart reuses the certificate stored in the control store.
/// The RFC 2136 route runs the same command with <c>--acme-dns-update</c> against a named the test starts, which
/// Pebble then resolves through.
/// </summary>
public sealed class AcmeEdgeTests(ITestOutputHelper output)
{
    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    [Fact(Timeout = 180_000)]
    public async Task One_command_serves_a_wildcard_certificate_from_the_acme_server_and_a_restart_reuses_it()
    {
        Assert.SkipUnless(File.Exists(PebbleServer.Binary), "pebble is not installed (apt-get install pebble)");
        using var dir = new TempDirectory();
        await using PebbleForEdge ca = await PebbleForEdge.StartAsync(dir.Path);
        PebbleServer pebble = ca.Pebble;
        string rootPath = ca.RootPath;
        int dnsPort = ca.DnsPort;
        string dataDir = Path.Combine(dir.Path, "edge");
        string[] acme = [.. ca.EdgeArgs, .. EdgeRun.WithHealth];

        var clock = Stopwatch.StartNew();
        await using (var edge = await EdgeRun.StartAsync(dataDir, extra: acme, logLevel: "info"))
        {
            Assert.Contains("DNS      listening on 127.0.0.1:" + I(dnsPort), edge.Process.Output, StringComparison.Ordinal);
            await edge.Process.WaitForLineAsync(@"ACME certificate installed for \*\.burrow\.test, burrow\.test", TimeSpan.FromSeconds(90));
            TimeSpan served = clock.Elapsed;
            output.WriteLine($"time from burrow server start to served wildcard certificate against Pebble: {served.TotalSeconds:F2} s");

            await AssertVerifiedAsync(edge.HttpsPort, rootPath, "x.burrow.test");
            await AssertVerifiedAsync(edge.HttpsPort, rootPath, "burrow.test");
            await AssertOpensslVerifiesAsync(edge.HttpsPort, rootPath, "some-tunnel.burrow.test");

            // A tunnel through a real agent (which still trusts the local CA on the agent port, named localhost).
            await using var upstream = await Upstream.StartAsync();
            using var state = new TempDirectory();
            await using var agent = await AgentRun.StartAsync([I(upstream.Port), "--url", "hello", .. edge.AgentArgs()], state.Path);
            var (exit, body, errors) = await Curl.RunAsync(
                ["--cacert", rootPath, "--resolve", $"hello.burrow.test:{I(edge.HttpsPort)}:127.0.0.1", $"https://hello.burrow.test:{I(edge.HttpsPort)}/hello"]);
            Assert.True(exit == 0, $"curl exited {exit}: {errors}");
            Assert.Equal("hello from upstream", body);

            using var health = JsonDocument.Parse(await new HttpClient().GetStringAsync(new Uri($"http://127.0.0.1:{I(edge.HealthPort)}/healthz")));
            Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
            Assert.Equal("valid", health.RootElement.GetProperty("certificate").GetProperty("state").GetString());
        }

        Assert.Equal(1, Orders(pebble.Log));
        // The key is in the store, sealed with the owner-only store key; no PEM private key anywhere in the database.
        string storeKey = Path.Combine(dataDir, "store.key");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(storeKey));
        }

        Assert.False(Directory.Exists(Path.Combine(dataDir, "acme")), "certificate files were written to the data directory");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        string database = string.Concat(Directory.GetFiles(dataDir, "burrow.db*").Select(f => System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        Assert.Contains("Pebble Intermediate CA", database, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", database, StringComparison.Ordinal);

        // Restart: the stored certificate is served again at once, and no new order reaches Pebble.
        await using (var again = await EdgeRun.StartAsync(dataDir, extra: acme, logLevel: "info"))
        {
            await again.Process.WaitForLineAsync(@"ACME certificate reused from the control store for \*\.burrow\.test", TimeSpan.FromSeconds(30));
            await AssertVerifiedAsync(again.HttpsPort, rootPath, "x.burrow.test");
            Assert.DoesNotContain("ACME: ordering", again.Process.Output, StringComparison.Ordinal);
        }

        Assert.Equal(1, Orders(pebble.Log));
    }

    [Fact(Timeout = 180_000)]
    public async Task With_acme_key_type_rsa2048_the_served_wildcard_has_a_2048_bit_rsa_key_and_an_unknown_type_is_refused()
    {
        Assert.SkipUnless(File.Exists(PebbleServer.Binary), "pebble is not installed (apt-get install pebble)");
        using var dir = new TempDirectory();
        await using PebbleForEdge ca = await PebbleForEdge.StartAsync(dir.Path);
        string rootPath = ca.RootPath;

        await using (var edge = await EdgeRun.StartAsync(Path.Combine(dir.Path, "edge"), extra: [.. ca.EdgeArgs, "--acme-key-type", "rsa2048"], logLevel: "info"))
        {
            await edge.Process.WaitForLineAsync(@"ACME certificate installed for \*\.burrow\.test, burrow\.test", TimeSpan.FromSeconds(90));
            await AssertVerifiedAsync(edge.HttpsPort, rootPath, "x.burrow.test");

            // openssl names the key the edge serves: RSA, 2048 bits (an ECDSA P-256 key is "256 bit" and "id-ecPublicKey").
            var (exit, text, errors) = await Tool.RunAsync(
                "openssl", ["s_client", "-connect", $"127.0.0.1:{I(edge.HttpsPort)}", "-servername", "x.burrow.test", "-CAfile", rootPath, "-verify_return_error"],
                stdin: "", timeout: TimeSpan.FromSeconds(30));
            Assert.True(exit == 0, $"s_client exited {exit}: {errors}");
            Assert.Contains("Server public key is 2048 bit", text, StringComparison.Ordinal);
            Assert.Matches(@"Peer signature type: RSA|Peer signing digest|a:PKEY: rsaEncryption, 2048", text);
        }

        var (refused, output) = await BurrowProcess.RunToEndAsync(
            ["server", "--domain", "burrow.test", "--acme-email", "ops@burrow.test", "--acme-key-type", "dsa", "--data-dir", Path.Combine(dir.Path, "other")],
            timeout: TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, refused);
        Assert.Contains("dsa", output, StringComparison.Ordinal);
        Assert.Contains("rsa2048", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 180_000)]
    public async Task Admin_certs_revoke_revokes_at_the_ca_and_the_edge_serves_a_new_certificate_at_once()
    {
        Assert.SkipUnless(File.Exists(PebbleServer.Binary), "pebble is not installed (apt-get install pebble)");
        using var dir = new TempDirectory();
        await using PebbleForEdge ca = await PebbleForEdge.StartAsync(dir.Path);
        PebbleServer pebble = ca.Pebble;
        string rootPath = ca.RootPath;
        await using var edge = await EdgeRun.StartAsync(Path.Combine(dir.Path, "edge"), extra: ca.EdgeArgs, logLevel: "info");
        await edge.Process.WaitForLineAsync(@"ACME certificate installed for \*\.burrow\.test, burrow\.test", TimeSpan.FromSeconds(90));
        string first = await ServedSerialAsync(edge.HttpsPort, rootPath);
        Assert.Equal("Valid", await pebble.GetStatusAsync(first));

        // Bad requests are refused before anything reaches the CA.
        AdminCli.Result unknown = await AdminCli.RunAsync(edge, "certs", "revoke", "nothing.burrow.test");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("ERR_BURROW_8002", unknown.Output, StringComparison.Ordinal);

        AdminCli.Result revoked = await AdminCli.RunAsync(edge, "certs", "revoke", "*.burrow.test", "burrow.test", "--reason", "keyCompromise");
        Assert.True(revoked.ExitCode == 0, revoked.Output);
        Assert.Contains($"Revoked *.burrow.test, burrow.test (serial {first}", revoked.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Revoked", await pebble.GetStatusAsync(first));

        // The edge orders the replacement at once (not at its next look, 30 s away) and serves it without a restart.
        await edge.Process.WaitForLineAsync(@"ACME certificate installed for \*\.burrow\.test, burrow\.test", TimeSpan.FromSeconds(20), skip: 1);
        string second = await ServedSerialAsync(edge.HttpsPort, rootPath);
        Assert.NotEqual(first, second, StringComparer.OrdinalIgnoreCase);
        Assert.Equal("Valid", await pebble.GetStatusAsync(second));
        await AssertOpensslVerifiesAsync(edge.HttpsPort, rootPath, "x.burrow.test");

        AdminCli.Result listed = await AdminCli.RunAsync(edge, "certs", "--json");
        JsonElement row = listed.Json.EnumerateArray().Single();
        Assert.Equal("valid", row.GetProperty("state").GetString());
        Assert.Equal(second, row.GetProperty("serial").GetString(), StringComparer.OrdinalIgnoreCase);
        AdminCli.Result audit = await AdminCli.RunAsync(edge, "audit", "--json");
        Assert.Contains("certificate.revoked", audit.Stdout, StringComparison.Ordinal);
    }

    /// <summary>The serial of the certificate the edge serves for x.burrow.test, its chain verified against Pebble's root.</summary>
    private static async Task<string> ServedSerialAsync(int port, string rootPath)
    {
        var (exit, text, errors) = await Tool.RunAsync(
            "sh", ["-c", $"openssl s_client -connect 127.0.0.1:{I(port)} -servername x.burrow.test -CAfile {rootPath} -verify_return_error </dev/null 2>/dev/null | openssl x509 -noout -serial"],
            stdin: "", timeout: TimeSpan.FromSeconds(30));
        Assert.True(exit == 0 && text.StartsWith("serial=", StringComparison.Ordinal), $"openssl exited {exit}: {text} {errors}");
        return text.Trim()["serial=".Length..];
    }

    [Fact(Timeout = 60_000)]
    public async Task With_acme_email_and_no_listener_flags_the_public_listeners_are_443_and_80()
    {
        // The test holds both ports on every address, so the edge's attempt to take them is what it reports; a port
        // something else holds already refuses it the same way.
        var held = new List<System.Net.Sockets.TcpListener>();
        foreach (int port in new[] { 443, 80 })
        {
            try
            {
                var listener = new System.Net.Sockets.TcpListener(IPAddress.Any, port);
                listener.Start();
                held.Add(listener);
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
        }

        try
        {
            using var dir = new TempDirectory();
            var (exit, text) = await BurrowProcess.RunToEndAsync(
                ["server", "--domain", "burrow.test", "--acme-email", "ops@burrow.test", "--acme-directory", "https://127.0.0.1:9/dir",
                 "--dns-addr", $"127.0.0.1:{I(FreePorts.TcpAndUdp())}", "--agent-addr", "127.0.0.1:0", "--admin-addr", "off", "--data-dir", dir.Path],
                timeout: TimeSpan.FromSeconds(30));

            Assert.NotEqual(0, exit);
            Assert.Contains("ERR_BURROW_5011", text, StringComparison.Ordinal);
            Assert.Matches(@"cannot listen on (0\.0\.0\.0:443 \(--https-addr\)|0\.0\.0\.0:80 \(--http-addr\))", text);
        }
        finally
        {
            held.ForEach(l => l.Stop());
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Acme_with_a_tls_certificate_or_on_localhost_is_refused_with_a_code()
    {
        using var dir = new TempDirectory();
        var (exit, text) = await BurrowProcess.RunToEndAsync(
            ["server", "--acme-email", "ops@example.com", "--data-dir", dir.Path, "--agent-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--http-addr", "off", "--admin-addr", "off"],
            timeout: TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, exit);
        Assert.Contains("ERR_BURROW_5206", text, StringComparison.Ordinal);
        Assert.Contains("not a public DNS name", text, StringComparison.Ordinal);

        (exit, text) = await BurrowProcess.RunToEndAsync(
            ["server", "--domain", "tunnel.example.com", "--acme-email", "ops@example.com", "--dns-addr", "off", "--data-dir", dir.Path, "--agent-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--http-addr", "off", "--admin-addr", "off"],
            timeout: TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, exit);
        Assert.Contains("ERR_BURROW_5206", text, StringComparison.Ordinal);
        Assert.Contains("--dns-addr off", text, StringComparison.Ordinal);
    }

    [Fact(Timeout = 180_000)]
    public async Task With_acme_dns_update_the_wildcard_is_proven_through_records_bind_holds_and_no_dns_port_is_bound()
    {
        Assert.SkipUnless(File.Exists(PebbleServer.Binary) && File.Exists(BindServer.Binary), "pebble or named is not installed (scripts/install-test-deps.sh)");
        using var dir = new TempDirectory();
        await using var bind = await BindServer.StartAsync();
        await using var pebble = await PebbleServer.StartAsync(FreePorts.Tcp(), FreePorts.Tcp(), bind.EndPoint, 0, []);
        string rootPath = Path.Combine(dir.Path, "pebble-root.pem");
        await File.WriteAllTextAsync(rootPath, await pebble.Http.GetStringAsync(new Uri(pebble.ManagementUrl, "roots/0")));

        // --dns-addr names a port this test holds: were the edge to bind it anyway, the start would fail.
        int heldPort = FreePorts.TcpAndUdp();
        using var held = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, heldPort));
        string[] acme =
        [
            "--domain", BindServer.Zone, "--acme-email", "ops@burrow.test", "--acme-directory", pebble.DirectoryUrl.ToString(),
            "--acme-ca-root", pebble.TlsCertificatePath, "--dns-addr", $"127.0.0.1:{I(heldPort)}",
            "--acme-dns-update", $"127.0.0.1:{I(bind.Port)}", "--acme-dns-tsig-file", bind.UpdateKeyPath, .. EdgeRun.WithHealth,
        ];

        var clock = Stopwatch.StartNew();
        await using var edge = await EdgeRun.StartAsync(Path.Combine(dir.Path, "edge"), extra: acme, logLevel: "info");
        Assert.Contains($"DNS-01 records go to 127.0.0.1:{I(bind.Port)} (zone burrow.test) with RFC 2136 updates signed by the TSIG key burrow-acme (hmac-sha256)", edge.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on 127.0.0.1:" + I(heldPort), edge.Process.Output, StringComparison.Ordinal);
        try
        {
            await edge.Process.WaitForLineAsync(@"ACME certificate installed for \*\.burrow\.test, burrow\.test", TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            output.WriteLine(edge.Process.Output);
            output.WriteLine(bind.Log);
            throw;
        }

        output.WriteLine($"time from burrow server start to served wildcard certificate through RFC 2136 to bind9: {clock.Elapsed.TotalSeconds:F2} s");
        await AssertVerifiedAsync(edge.HttpsPort, rootPath, "x.burrow.test");
        await AssertVerifiedAsync(edge.HttpsPort, rootPath, "burrow.test");
        await AssertOpensslVerifiesAsync(edge.HttpsPort, rootPath, "some-tunnel.burrow.test");
        Assert.Contains("updating zone 'burrow.test/IN': adding an RR at '_acme-challenge.burrow.test' TXT", bind.Log, StringComparison.Ordinal);
        Assert.Contains("updating zone 'burrow.test/IN': deleting an RR at _acme-challenge.burrow.test TXT", bind.Log, StringComparison.Ordinal);
        Assert.Empty(await Tools.DigTxtAsync(bind.Port, "_acme-challenge.burrow.test"));
        using var health = JsonDocument.Parse(await new HttpClient().GetStringAsync(new Uri($"http://127.0.0.1:{I(edge.HealthPort)}/healthz")));
        Assert.Equal("valid", health.RootElement.GetProperty("certificate").GetProperty("state").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task Acme_dns_update_settings_that_cannot_work_are_refused_with_5209()
    {
        using var dir = new TempDirectory();
        string[] common = ["server", "--domain", "tunnel.example.com", "--acme-email", "ops@example.com", "--data-dir", dir.Path, "--agent-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--http-addr", "off", "--admin-addr", "off"];
        var (exit, text) = await BurrowProcess.RunToEndAsync([.. common, "--acme-dns-update", "127.0.0.1:5353"], timeout: TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, exit);
        Assert.Contains("ERR_BURROW_5209", text, StringComparison.Ordinal);
        Assert.Contains("has no TSIG key", text, StringComparison.Ordinal);

        (exit, text) = await BurrowProcess.RunToEndAsync([.. common, "--acme-dns-update", "127.0.0.1:5353", "--acme-dns-tsig", "burrow-acme:hmac-md5:c2VjcmV0"], timeout: TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, exit);
        Assert.Contains("ERR_BURROW_5209", text, StringComparison.Ordinal);
        Assert.Contains("hmac-md5", text, StringComparison.Ordinal);
    }

    private static int Orders(string pebbleLog) => Regex.Count(pebbleLog, "POST /order-plz");

    private static async Task AssertVerifiedAsync(int port, string rootPath, string host)
    {
        var (exit, code, errors) = await Curl.RunAsync(
            ["--cacert", rootPath, "--resolve", $"{host}:{I(port)}:127.0.0.1", "-o", "/dev/null", "-w", "%{http_code}", $"https://{host}:{I(port)}/"]);
        Assert.True(exit == 0, $"curl for {host} exited {exit}: {errors}");
        Assert.Equal("404", code);
    }

    private static async Task AssertOpensslVerifiesAsync(int port, string rootPath, string host)
    {
        var (exit, text, errors) = await Tool.RunAsync(
            "openssl", ["s_client", "-connect", $"127.0.0.1:{I(port)}", "-servername", host, "-CAfile", rootPath, "-verify_hostname", host, "-verify_return_error"],
            stdin: "", timeout: TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, $"s_client exited {exit}: {errors}");
        Assert.Contains("Verify return code: 0 (ok)", text, StringComparison.Ordinal);
        Assert.Contains("Pebble Intermediate CA", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Debian's Pebble resolving through the DNS port the edge will listen on, its root in a file for curl and openssl,
    /// and the <c>burrow server</c> flags for a wildcard of <c>burrow.test</c> from it.
    /// </summary>
    private sealed record PebbleForEdge(PebbleServer Pebble, string RootPath, int DnsPort) : IAsyncDisposable
    {
        public string[] EdgeArgs =>
        [
            "--domain", "burrow.test", "--acme-email", "ops@burrow.test", "--acme-directory", Pebble.DirectoryUrl.ToString(),
            "--acme-ca-root", Pebble.TlsCertificatePath, "--dns-addr", $"127.0.0.1:{I(DnsPort)}",
        ];

        public static async Task<PebbleForEdge> StartAsync(string directory)
        {
            int dnsPort = FreePorts.TcpAndUdp();
            PebbleServer pebble = await PebbleServer.StartAsync(FreePorts.Tcp(), FreePorts.Tcp(), new IPEndPoint(IPAddress.Loopback, dnsPort), 0, []);
            string rootPath = Path.Combine(directory, "pebble-root.pem");
            await File.WriteAllTextAsync(rootPath, await pebble.Http.GetStringAsync(new Uri(pebble.ManagementUrl, "roots/0")));
            return new PebbleForEdge(pebble, rootPath, dnsPort);
        }

        public ValueTask DisposeAsync() => Pebble.DisposeAsync();
    }
}

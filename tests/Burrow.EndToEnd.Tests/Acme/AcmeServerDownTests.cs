using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Burrow.Acme.Tests.Pebble;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Acme;

/// <summary>
/// Issue 14's "ACME server down": the real <c>burrow server --acme-email</c> against Debian's pebble issuing 90-second
/// certificates, so renewal (at two thirds, 60 s) falls inside the test. Pebble is killed before renewal is due: the
/// renewal fails, the old certificate keeps being served to new handshakes, and <c>/healthz</c> and
/// <c>burrow admin certs --json</c> say so. Pebble comes back on the same ports (with a new root): the backoff's retry
/// installs a new certificate that chains to the new root, health is ok again, and a TLS connection opened before the
/// kill still answers.
/// </summary>
public sealed class AcmeServerDownTests(ITestOutputHelper output)
{
    // Renewal is due 60 s after issuance and the first retry comes 12-18 s after the failure, so the new certificate
    // arrives about 75 s after the first: the old one (valid 90 s) is still valid whenever it is checked.
    private const int ValiditySeconds = 90;

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    [Fact(Timeout = 240_000)]
    public async Task Acme_server_down_at_renewal_keeps_the_old_certificate_served_says_degraded_and_the_retry_after_it_returns_swaps_without_dropping_connections()
    {
        Assert.SkipUnless(File.Exists(PebbleServer.Binary), "pebble is not installed (apt-get install pebble)");
        var clock = Stopwatch.StartNew();
        using var dir = new TempDirectory();
        int dnsPort = FreePorts.TcpAndUdp();
        await using var pebble = await PebbleServer.StartAsync(
            FreePorts.Tcp(), FreePorts.Tcp(), new IPEndPoint(IPAddress.Loopback, dnsPort), 0, [], certificateValiditySeconds: ValiditySeconds);
        string firstRoot = Path.Combine(dir.Path, "pebble-root-1.pem");
        await File.WriteAllTextAsync(firstRoot, await pebble.Http.GetStringAsync(new Uri(pebble.ManagementUrl, "roots/0")));
        string[] acme =
        [
            "--domain", "burrow.test", "--acme-email", "ops@burrow.test", "--acme-directory", pebble.DirectoryUrl.ToString(),
            "--acme-ca-root", pebble.TlsCertificatePath, "--dns-addr", $"127.0.0.1:{I(dnsPort)}", .. EdgeRun.WithHealth,
        ];

        await using var edge = await EdgeRun.StartAsync(Path.Combine(dir.Path, "edge"), extra: acme, logLevel: "info");
        await edge.Process.WaitForLineAsync(@"ACME certificate installed for \*\.burrow\.test, burrow\.test", TimeSpan.FromSeconds(90));
        using X509Certificate2 first = await ServedCertificateAsync(edge.HttpsPort, firstRoot);
        output.WriteLine($"first certificate {first.SerialNumber}, {first.NotBefore.ToUniversalTime():u} .. {first.NotAfter.ToUniversalTime():u}");
        Assert.InRange((first.NotAfter - first.NotBefore).TotalSeconds, ValiditySeconds - 2, ValiditySeconds + 2);
        await AssertOpensslVerifiesAsync(edge.HttpsPort, firstRoot, "x.burrow.test", expectOk: true);

        // A connection opened (and used) before the CA goes away.
        await using var kept = await KeptConnection.OpenAsync(edge.HttpsPort, "x.burrow.test", firstRoot);
        Assert.Equal(404, await kept.GetStatusAsync());

        await pebble.KillAsync();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: pebble killed");

        // Renewal falls due (two thirds of 90 s after issuance) and fails: the CA refuses connections (5204, unusable ACME server).
        var failed = await edge.Process.WaitForLineAsync(
            @"ACME certificate for \*\.burrow\.test, burrow\.test not obtained: ERR_BURROW_5204: .*Connection refused.*; attempt 1, next at", TimeSpan.FromSeconds(ValiditySeconds));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {failed.Value}");
        DateTimeOffset renewalDue = first.NotBefore.ToUniversalTime() + (TimeSpan.FromSeconds(ValiditySeconds) * 2 / 3);
        Assert.True(DateTimeOffset.UtcNow >= renewalDue - TimeSpan.FromSeconds(2), $"renewal tried before it was due ({renewalDue:u})");

        // Meanwhile: the same certificate (still valid) to new handshakes, degraded in health, renewal-failing in admin certs.
        using (X509Certificate2 during = await ServedCertificateAsync(edge.HttpsPort, firstRoot))
        {
            Assert.Equal(first.SerialNumber, during.SerialNumber);
            Assert.True(DateTime.UtcNow < during.NotAfter.ToUniversalTime(), "the old certificate expired before it was checked; the timings are too tight");
        }

        using (JsonDocument health = await HealthAsync(edge))
        {
            JsonElement certificate = health.RootElement.GetProperty("certificate");
            Assert.Equal("degraded", health.RootElement.GetProperty("status").GetString());
            Assert.Equal("renewal-failing", certificate.GetProperty("state").GetString());
            Assert.StartsWith("ERR_BURROW_5204", certificate.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        AdminCli.Result certs = await AdminCli.RunAsync(edge, "certs", "--json");
        Assert.True(certs.ExitCode == 0, certs.Output);
        JsonElement failing = certs.Json.EnumerateArray().Single();
        Assert.Equal("renewal-failing", failing.GetProperty("state").GetString());
        Assert.Equal(first.SerialNumber, failing.GetProperty("serial").GetString(), ignoreCase: true);
        Assert.StartsWith("ERR_BURROW_5204", failing.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        DateTimeOffset next = failing.GetProperty("next_attempt").GetDateTimeOffset();
        Assert.Equal(404, await kept.GetStatusAsync());

        // The CA returns on the same ports, with a new root; the backoff's retry (not before next_attempt) renews.
        await pebble.RestartAsync();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: pebble restarted, retry due at {next:u}");
        Assert.True(DateTimeOffset.UtcNow < next, $"pebble came back after the first retry ({next:u}); the second comes 24-36 s later");
        string secondRoot = Path.Combine(dir.Path, "pebble-root-2.pem");
        await File.WriteAllTextAsync(secondRoot, await pebble.Http.GetStringAsync(new Uri(pebble.ManagementUrl, "roots/0")));
        Assert.NotEqual(await File.ReadAllTextAsync(firstRoot), await File.ReadAllTextAsync(secondRoot));

        await edge.Process.WaitForLineAsync(@"ACME certificate installed for \*\.burrow\.test, burrow\.test", TimeSpan.FromSeconds(60), skip: 1);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: renewed");
        Assert.True(DateTimeOffset.UtcNow >= next - TimeSpan.FromSeconds(1), "retried before the backoff ended");

        using X509Certificate2 second = await ServedCertificateAsync(edge.HttpsPort, secondRoot);
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
        await AssertOpensslVerifiesAsync(edge.HttpsPort, secondRoot, "x.burrow.test", expectOk: true);
        await AssertOpensslVerifiesAsync(edge.HttpsPort, firstRoot, "x.burrow.test", expectOk: false);

        using (JsonDocument health = await HealthAsync(edge))
        {
            Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
            Assert.Equal("valid", health.RootElement.GetProperty("certificate").GetProperty("state").GetString());
        }

        JsonElement valid = (await AdminCli.RunAsync(edge, "certs", "--json")).Json.EnumerateArray().Single();
        Assert.Equal("valid", valid.GetProperty("state").GetString());
        Assert.Equal(second.SerialNumber, valid.GetProperty("serial").GetString(), ignoreCase: true);
        Assert.Equal(JsonValueKind.Null, valid.GetProperty("last_error").ValueKind);

        // The connection opened before the kill survived the failure and the swap.
        Assert.Equal(404, await kept.GetStatusAsync());
        output.WriteLine($"test took {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task<JsonDocument> HealthAsync(EdgeRun edge)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{I(edge.HealthPort)}/healthz")));
    }

    /// <summary>The leaf a new handshake with SNI <c>x.burrow.test</c> gets; the handshake fails unless it chains to <paramref name="rootPath"/>.</summary>
    private static async Task<X509Certificate2> ServedCertificateAsync(int port, string rootPath)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        X509Certificate2? served = null;
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, chain, errors) =>
        {
            served = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return ChainsTo(rootPath, served, chain, errors);
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "x.burrow.test" }, timeout.Token);
        return served ?? throw new InvalidOperationException("the edge presented no certificate");
    }

    /// <summary>Whether <paramref name="leaf"/>, with the intermediates the server sent, chains to the Pebble root in <paramref name="rootPath"/> and names the host.</summary>
    private static bool ChainsTo(string rootPath, X509Certificate2? leaf, X509Chain? presented, SslPolicyErrors errors)
    {
        if (leaf is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(File.ReadAllBytes(rootPath)));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
        }

        return chain.Build(leaf);
    }

    private static async Task AssertOpensslVerifiesAsync(int port, string rootPath, string host, bool expectOk)
    {
        var (exit, text, errors) = await Tool.RunAsync(
            "openssl", ["s_client", "-connect", $"127.0.0.1:{I(port)}", "-servername", host, "-CAfile", rootPath, "-verify_hostname", host, "-verify_return_error"],
            stdin: "", timeout: TimeSpan.FromSeconds(30));
        if (expectOk)
        {
            Assert.True(exit == 0, $"s_client exited {exit}: {errors}");
            Assert.Contains("Verify return code: 0 (ok)", text, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(exit != 0, $"s_client verified the chain against {Path.GetFileName(rootPath)}:\n{text}");
        }
    }

    /// <summary>One TLS connection to the edge's HTTPS port, kept open, with HTTP/1.1 requests sent over it one at a time.</summary>
    private sealed class KeptConnection : IAsyncDisposable
    {
        private readonly TcpClient _tcp;
        private readonly SslStream _tls;

        private KeptConnection(TcpClient tcp, SslStream tls)
        {
            _tcp = tcp;
            _tls = tls;
        }

        public static async Task<KeptConnection> OpenAsync(int port, string host, string rootPath)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, chain, errors) =>
                ChainsTo(rootPath, certificate as X509Certificate2, chain, errors));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions { TargetHost = host, ApplicationProtocols = [SslApplicationProtocol.Http11] }, timeout.Token);
            return new KeptConnection(tcp, tls);
        }

        /// <summary>Sends <c>GET /</c> and reads the whole response (Content-Length or chunked); returns its status code.</summary>
        public async Task<int> GetStatusAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _tls.WriteAsync("GET / HTTP/1.1\r\nHost: x.burrow.test\r\n\r\n"u8.ToArray(), timeout.Token);
            var received = new List<byte>();
            var buffer = new byte[4096];
            int headerEnd = -1;
            while (true)
            {
                string text = Encoding.Latin1.GetString([.. received]);
                headerEnd = headerEnd >= 0 ? headerEnd : text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (headerEnd >= 0 && Complete(text, headerEnd))
                {
                    return int.Parse(text.Split(' ', 3)[1], CultureInfo.InvariantCulture);
                }

                int read = await _tls.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    throw new IOException("the edge closed the kept connection; received: " + text);
                }

                received.AddRange(buffer.AsSpan(0, read));
            }
        }

        private static bool Complete(string text, int headerEnd)
        {
            string headers = text[..headerEnd];
            string body = text[(headerEnd + 4)..];
            foreach (string line in headers.Split("\r\n"))
            {
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    return body.Length >= int.Parse(line["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
                }

                if (line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                {
                    return body.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
                }
            }

            return true;
        }

        public async ValueTask DisposeAsync()
        {
            await _tls.DisposeAsync();
            _tcp.Dispose();
        }
    }
}

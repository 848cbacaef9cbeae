using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Acme.Client;
using Burrow.Edge.Certificates;
using Burrow.Protocol.Errors;
using Burrow.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Burrow.Edge.Tests.Certificates;

public sealed class AcmeCertificatesTests : IDisposable
{
    private const string Domain = "burrow.test";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "burrow-acme-edge-tests-" + Guid.NewGuid().ToString("n"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private EdgeOptions Options(int dnsPort = 53, Uri? directory = null) => new()
    {
        Domain = Domain,
        DataDirectory = _dir,
        AcmeEmail = "ops@burrow.test",
        AcmeDirectory = directory ?? EdgeOptions.LetsEncryptDirectory,
        DnsEndPoint = new IPEndPoint(IPAddress.Loopback, dnsPort),
    };

    private static X509Certificate2 Wildcard(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=*." + Domain, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("*." + Domain);
        san.AddDnsName(Domain);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    [Fact]
    public void Installed_certificate_is_served_for_the_apex_one_label_under_it_and_no_sni_while_deeper_names_keep_the_local_ca()
    {
        var store = CertificateStore.Create(Options(), TimeProvider.System);
        using var acme = Wildcard(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(89));
        string localDefault = store.DefaultCertificate.Thumbprint;

        store.InstallAcme(acme, []);

        Assert.Equal(acme.Thumbprint, store.Select("x." + Domain).TargetCertificate.Thumbprint);
        Assert.Equal(acme.Thumbprint, store.Select("X." + Domain.ToUpperInvariant()).TargetCertificate.Thumbprint);
        Assert.Equal(acme.Thumbprint, store.Select(Domain).TargetCertificate.Thumbprint);
        Assert.Equal(acme.Thumbprint, store.Select(null).TargetCertificate.Thumbprint);
        Assert.Equal(acme.Thumbprint, store.DefaultCertificate.Thumbprint);
        Assert.NotEqual(acme.Thumbprint, store.Select("a.b." + Domain).TargetCertificate.Thumbprint);
        Assert.Equal(store.Authority!.Certificate.Subject, store.Select("a.b." + Domain).TargetCertificate.Issuer);
        Assert.Equal(localDefault, store.Select("localhost").TargetCertificate.Thumbprint);
    }

    [Fact]
    public void Renewal_is_due_two_thirds_into_the_lifetime()
    {
        var notBefore = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var cert = Wildcard(notBefore, notBefore.AddDays(90));
        Assert.Equal(notBefore.AddDays(60), AcmeCertificates.RenewalTime(cert));
    }

    [Fact]
    public void Backoff_doubles_from_15_seconds_to_an_hour_with_jitter_and_never_comes_before_retry_after()
    {
        for (int i = 0; i < 50; i++)
        {
            Assert.InRange(AcmeCertificates.Backoff(1, null).TotalSeconds, 12, 18);
            Assert.InRange(AcmeCertificates.Backoff(3, null).TotalSeconds, 48, 72);
            Assert.InRange(AcmeCertificates.Backoff(30, null).TotalSeconds, 2880, 4320);
        }

        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var limited = new AcmeException(ErrorCodes.AcmeRateLimited, "slow down", retryAfter: time.GetUtcNow().AddHours(3));
        Assert.Equal(TimeSpan.FromHours(3), AcmeCertificates.Backoff(1, limited, time));
    }

    [Fact]
    public void Settings_that_cannot_work_are_refused_with_5206()
    {
        Assert.Null(AcmeCertificates.Validate(Options()));
        Assert.Contains("--tls-cert", Code(Options() with { TlsCertificatePath = "cert.pem" }), StringComparison.Ordinal);
        Assert.Contains("not a public DNS name", Code(Options() with { Domain = "localhost" }), StringComparison.Ordinal);
        Assert.Contains("--dns-addr off", Code(Options() with { DnsEndPoint = null }), StringComparison.Ordinal);
        Assert.Contains("port 0", Code(Options(dnsPort: 0)), StringComparison.Ordinal);
        Assert.Contains("not an https URL", Code(Options(directory: new Uri("http://ca.example/dir"))), StringComparison.Ordinal);
        Assert.Contains("cannot be read", Code(Options() with { AcmeCaRootPath = Path.Combine(_dir, "missing.pem") }), StringComparison.Ordinal);

        static string Code(EdgeOptions options)
        {
            string? error = AcmeCertificates.Validate(options);
            Assert.NotNull(error);
            Assert.StartsWith(ErrorCodes.AcmeSettingsInvalid.Code, error, StringComparison.Ordinal);
            return error;
        }
    }

    [Fact]
    public void The_rfc2136_route_needs_no_dns_server_and_its_settings_that_cannot_work_are_refused_with_5209()
    {
        const string Secret = "4xfEsnbr32nzTR1UK4kdjejZuI5S6xJt4PrYSy8+uLU=";
        Directory.CreateDirectory(_dir);
        string keyFile = Path.Combine(_dir, "update.key");
        File.WriteAllText(keyFile, $"key \"burrow-acme\" {{\n\talgorithm hmac-sha512;\n\tsecret \"{Secret}\";\n}};\n");
        EdgeOptions update = Options() with { DnsEndPoint = null, AcmeDnsUpdate = "ns1.example.net:5353", AcmeDnsTsigFile = keyFile };

        // --dns-addr off is fine on this route: another server holds the records.
        Assert.Null(AcmeCertificates.Validate(update));
        Assert.Null(AcmeCertificates.TryCreateDnsUpdate(update with { AcmeDnsZone = "test" }, out var options));
        Assert.Equal(("ns1.example.net", 5353, "test", "burrow-acme", "hmac-sha512"), (options.Host, options.Port, options.Zone, options.Key.Name, options.Key.Algorithm));
        Assert.Null(AcmeCertificates.Validate(update with { AcmeDnsTsigFile = null, AcmeDnsTsig = "burrow-acme:" + Secret }));

        Assert.Contains("no TSIG key", Code(update with { AcmeDnsTsigFile = null }), StringComparison.Ordinal);
        Assert.Contains("both --acme-dns-tsig and --acme-dns-tsig-file", Code(update with { AcmeDnsTsig = "k:" + Secret }), StringComparison.Ordinal);
        Assert.Contains("cannot be read", Code(update with { AcmeDnsTsigFile = Path.Combine(_dir, "missing.key") }), StringComparison.Ordinal);
        Assert.Contains("hmac-md5", Code(update with { AcmeDnsTsigFile = null, AcmeDnsTsig = "k:hmac-md5:" + Secret }), StringComparison.Ordinal);
        Assert.Contains("is not HOST[:PORT]", Code(update with { AcmeDnsUpdate = "ns1:99999" }), StringComparison.Ordinal);
        Assert.Contains("is not in the zone example.org", Code(update with { AcmeDnsZone = "example.org" }), StringComparison.Ordinal);
        Assert.Contains("without --acme-dns-update", Code(Options() with { AcmeDnsTsigFile = keyFile }), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, Code(update with { AcmeDnsTsigFile = null, AcmeDnsTsig = "k:hmac-sha3:" + Secret }), StringComparison.Ordinal);
        string withoutEmail = AcmeCertificates.Validate(update with { AcmeEmail = null })!;
        Assert.StartsWith(ErrorCodes.AcmeSettingsInvalid.Code, withoutEmail, StringComparison.Ordinal);

        static string Code(EdgeOptions options)
        {
            string? error = AcmeCertificates.Validate(options);
            Assert.NotNull(error);
            Assert.StartsWith(ErrorCodes.DnsUpdateSettingsInvalid.Code, error, StringComparison.Ordinal);
            return error;
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_saved_certificate_due_for_renewal_is_served_and_kept_while_renewal_fails_and_retries_back_off()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        int closedPort = FreeTcpPort();
        var options = Options(dnsPort: FreeTcpPort(), directory: new Uri($"https://127.0.0.1:{closedPort}/dir"));
        var store = CertificateStore.Create(options, time);
        await using var controlStore = await ControlStore.OpenAsync(new StoreOptions { DataDirectory = _dir, Time = time, SealingKey = () => new byte[32] });
        await using var acme = new AcmeCertificates(options, store, controlStore, time, NullLogger<AcmeCertificates>.Instance);
        // Written by an edge from before the control store: imported, then served while its renewal fails.
        using var saved = Wildcard(time.GetUtcNow().AddDays(-80), time.GetUtcNow().AddDays(10));
        Directory.CreateDirectory(acme.Folder);
        await File.WriteAllTextAsync(Path.Combine(acme.Folder, Domain + ".pem"), saved.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(acme.Folder, Domain + ".key"), saved.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

        acme.Start();
        AcmeStatus status = await WaitForAsync(acme, s => s.State == "renewal-failing");

        Assert.Equal(saved.Thumbprint, store.Select("x." + Domain).TargetCertificate.Thumbprint);
        Assert.True(status.Degraded);
        Assert.StartsWith(ErrorCodes.AcmeUnreachable.Code, status.Error, StringComparison.Ordinal);
        Assert.InRange((status.NextAttempt!.Value - time.GetUtcNow()).TotalSeconds, 12, 18);

        // The next attempt comes when the (fake) clock reaches it, and backs off further.
        // (A second at a time: the loop's Delay may be registered a moment after the status is published.)
        DateTimeOffset failedAt = time.GetUtcNow();
        AcmeStatus second = status;
        for (int i = 0; i < 400 && second.NextAttempt == status.NextAttempt; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(25);
            second = acme.Status;
        }

        Assert.NotEqual(status.NextAttempt, second.NextAttempt);
        Assert.True(time.GetUtcNow() - failedAt >= TimeSpan.FromSeconds(12), "retried before the backoff");
        Assert.InRange((second.NextAttempt!.Value - time.GetUtcNow()).TotalSeconds, 22, 36);
        Assert.Equal(saved.Thumbprint, store.Select(Domain).TargetCertificate.Thumbprint);

        // The store holds the imported certificate and the error every edge of a cluster sees.
        StoredCertificate row = (await controlStore.ListCertificatesAsync()).Single();
        Assert.Equal(saved.SerialNumber, row.Serial);
        Assert.StartsWith(ErrorCodes.AcmeUnreachable.Code, row.LastError, StringComparison.Ordinal);
        Assert.Equal(second.NextAttempt!.Value.ToUnixTimeMilliseconds(), row.NextAttempt!.Value.ToUnixTimeMilliseconds()); // kept to the millisecond
    }

    private static async Task<AcmeStatus> WaitForAsync(AcmeCertificates acme, Func<AcmeStatus, bool> condition)
    {
        for (int i = 0; i < 400; i++)
        {
            if (condition(acme.Status))
            {
                return acme.Status;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"status stayed {acme.Status}");
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

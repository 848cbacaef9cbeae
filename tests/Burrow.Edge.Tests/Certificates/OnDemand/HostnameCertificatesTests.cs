using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Edge.Certificates;
using Burrow.Edge.Certificates.OnDemand;

namespace Burrow.Edge.Tests.Certificates.OnDemand;

/// <summary>Serving and keeping the certificate of one reserved hostname: SNI selection and the data-directory storage.</summary>
public sealed class HostnameCertificatesTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "burrow-ondemand-tests-" + Guid.NewGuid().ToString("n"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static X509Certificate2 For(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(89));
    }

    [Fact]
    public void Installed_hostname_certificate_is_served_for_that_exact_name_only_and_removed_on_request()
    {
        var store = CertificateStore.Create(new EdgeOptions { Domain = "burrow.test", DataDirectory = _dir, HttpsEndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, TimeProvider.System);
        using var custom = For("app.customer.test");
        string before = store.Select("app.customer.test").TargetCertificate.Thumbprint;

        store.InstallHostname("app.customer.test", custom, []);

        Assert.Equal(custom.Thumbprint, store.Select("app.customer.test").TargetCertificate.Thumbprint);
        Assert.Equal(custom.Thumbprint, store.Select("APP.customer.test").TargetCertificate.Thumbprint);
        Assert.NotEqual(custom.Thumbprint, store.Select("other.customer.test").TargetCertificate.Thumbprint);
        Assert.NotEqual(custom.Thumbprint, store.Select("x.burrow.test").TargetCertificate.Thumbprint);
        Assert.NotEqual(custom.Thumbprint, store.Select(null).TargetCertificate.Thumbprint);
        Assert.True(store.IsCoveredByWildcard("x.burrow.test"));
        Assert.False(store.IsCoveredByWildcard("a.b.burrow.test"));
        Assert.False(store.IsCoveredByWildcard("app.customer.test"));

        store.RemoveHostname("app.customer.test");
        Assert.Null(store.HostnameCertificate("app.customer.test"));
        Assert.Equal(before, store.Select("app.customer.test").TargetCertificate.Thumbprint);
    }

    [Fact]
    public async Task Data_directory_storage_round_trips_keeps_the_key_owner_only_and_refuses_names_that_are_paths()
    {
        var storage = new DataDirectoryCertificateStorage(Path.Combine(_dir, "hostnames"));
        Assert.Null(await storage.LoadAsync("app.customer.test", CancellationToken.None));

        await storage.SaveAsync("app.customer.test", new StoredCertificate("CHAIN", "KEY"), CancellationToken.None);

        Assert.Equal(new StoredCertificate("CHAIN", "KEY"), await storage.LoadAsync("App.Customer.test", CancellationToken.None));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "hostnames", "app.customer.test.key")));
        }

        await Assert.ThrowsAsync<ArgumentException>(() => storage.SaveAsync("../account", new StoredCertificate("C", "K"), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => storage.LoadAsync("a/b", CancellationToken.None));
    }
}

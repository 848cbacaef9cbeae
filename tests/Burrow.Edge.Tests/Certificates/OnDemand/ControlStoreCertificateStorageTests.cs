using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Edge.Admin;
using Burrow.Edge.Certificates.OnDemand;
using Burrow.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using StoredCertificate = Burrow.Edge.Certificates.OnDemand.StoredCertificate;

namespace Burrow.Edge.Tests.Certificates.OnDemand;

/// <summary>On-demand certificates in the control store (SQLite): one row per name with a sealed key, the files imported once, the name's lease, failures every edge sees.</summary>
public sealed class ControlStoreCertificateStorageTests : IAsyncLifetime
{
    private static readonly Uri Directory = new("https://ca.test/dir");
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("burrow-ondemand-store-").FullName;
    private IControlStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Files => Path.Combine(_dir, "acme", "ca.test-dir", "hostnames");

    public async ValueTask InitializeAsync()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        _store = await ControlStore.OpenAsync(new StoreOptions { DataDirectory = _dir, SealingKey = () => key });
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(_dir, recursive: true);
    }

    private ControlStoreCertificateStorage Storage(Uri? directory = null) =>
        new(() => _store, directory ?? Directory, new DataDirectoryCertificateStorage(Files), TimeProvider.System, NullLogger.Instance);

    private static (string Chain, string Key, string Serial) Issue(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(89));
        return (cert.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem(), cert.SerialNumber);
    }

    [Fact]
    public async Task Saved_certificate_is_one_sealed_acme_row_per_name_listed_as_valid()
    {
        var (chain, key, serial) = Issue("app.customer.test");
        await Storage().SaveAsync("app.customer.test", new StoredCertificate(chain, key), Ct);

        StoredCertificate loaded = (await Storage().LoadAsync("App.Customer.test", Ct))!;
        Assert.Equal((chain, key), (loaded.ChainPem, loaded.KeyPem));
        Assert.Null(loaded.LastError);
        Burrow.Storage.StoredCertificate row = Assert.Single(await _store.ListCertificatesAsync(Ct));
        Assert.Equal("app.customer.test", row.Names);
        Assert.Equal("acme", row.Source);
        Assert.Equal(serial, row.Serial);
        Assert.Null(row.KeyPem);
        Assert.Equal("valid", AdminRoutes.ToInfo(row, DateTimeOffset.UtcNow).State);
        Assert.False(System.IO.Directory.Exists(Files), "files were written");

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        string database = string.Concat(System.IO.Directory.GetFiles(_dir, "burrow.db*").Select(f => System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        Assert.Contains(serial.TrimStart('0'), database, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("PRIVATE KEY", database, StringComparison.Ordinal);

        // Another CA's row is neither served nor waited on.
        Assert.Null(await Storage(new Uri("https://other-ca.test/dir")).LoadAsync("app.customer.test", Ct));
    }

    [Fact]
    public async Task Data_directory_files_are_imported_once_and_not_read_again()
    {
        var (chain, key, serial) = Issue("app.customer.test");
        await new DataDirectoryCertificateStorage(Files).SaveAsync("app.customer.test", new StoredCertificate(chain, key), Ct);

        Assert.Equal(new StoredCertificate(chain, key), await Storage().LoadAsync("app.customer.test", Ct));
        Assert.Equal(serial, Assert.Single(await _store.ListCertificatesAsync(Ct)).Serial);

        // The files changed (or gone) afterwards do not matter: the store has it.
        var (otherChain, otherKey, _) = Issue("app.customer.test");
        await new DataDirectoryCertificateStorage(Files).SaveAsync("app.customer.test", new StoredCertificate(otherChain, otherKey), Ct);
        Assert.Equal(chain, (await Storage().LoadAsync("app.customer.test", Ct))!.ChainPem);

        // A file for another name, or an expired/mismatched one, is not imported.
        await new DataDirectoryCertificateStorage(Files).SaveAsync("wrong.customer.test", new StoredCertificate(otherChain, otherKey), Ct);
        Assert.Null(await Storage().LoadAsync("wrong.customer.test", Ct));
    }

    [Fact]
    public async Task One_edge_holds_a_names_lease_and_a_failure_is_seen_by_every_edge()
    {
        ControlStoreCertificateStorage a = Storage(), b = Storage();
        Assert.True(await a.TryTakeLeaseAsync("app.customer.test", "edge-a", TimeSpan.FromMinutes(2), Ct));
        Assert.False(await b.TryTakeLeaseAsync("app.customer.test", "edge-b", TimeSpan.FromMinutes(2), Ct));
        // Names are leased one by one: another name is free.
        Assert.True(await b.TryTakeLeaseAsync("other.customer.test", "edge-b", TimeSpan.FromMinutes(2), Ct));

        DateTimeOffset next = DateTimeOffset.UtcNow.AddMinutes(1);
        await a.RecordFailureAsync("app.customer.test", "ERR_BURROW_5203: The challenge failed.", next, Ct);
        await a.ReleaseLeaseAsync("app.customer.test", "edge-a", Ct);
        Assert.True(await b.TryTakeLeaseAsync("app.customer.test", "edge-b", TimeSpan.FromMinutes(2), Ct));

        StoredCertificate seen = (await b.LoadAsync("app.customer.test", Ct))!;
        Assert.Null(seen.ChainPem);
        Assert.Equal("ERR_BURROW_5203: The challenge failed.", seen.LastError);
        Assert.Equal(next.ToUnixTimeSeconds(), seen.NextAttempt!.Value.ToUnixTimeSeconds());
        var info = AdminRoutes.ToInfo(Assert.Single(await _store.ListCertificatesAsync(Ct)), DateTimeOffset.UtcNow);
        Assert.Equal("pending", info.State);
        Assert.Equal(["app.customer.test"], info.Names);
    }
}

using System.Text;
using Burrow.Storage.Tests.Harness;
using Microsoft.Extensions.Time.Testing;

namespace Burrow.Storage.Tests;

public sealed class CertificateTests(PostgresServer postgres)
{
    private const string KeyPem = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETSECRETSECRET\n-----END PRIVATE KEY-----";
    private static readonly string[] Names = ["*.burrow.test", "burrow.test"];

    private static NewCertificate Certificate(string serial, DateTimeOffset notBefore) => new()
    {
        Names = ["Burrow.test.", "*.burrow.test"],
        DirectoryUrl = "https://127.0.0.1:14000/dir",
        Issuer = "CN=Pebble Intermediate CA",
        Serial = serial,
        NotBefore = notBefore,
        NotAfter = notBefore.AddDays(90),
        ChainPem = "-----BEGIN CERTIFICATE-----\nleaf\n-----END CERTIFICATE-----\n",
        KeyPem = KeyPem,
        NextAttempt = notBefore.AddDays(60),
    };

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task A_failed_first_order_is_a_row_without_certificate_and_a_saved_certificate_clears_the_error(StoreKind kind)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        await using var store = await TestStores.OpenAsync(kind, postgres, time);
        Assert.Null(await store.GetCertificateAsync(Names));

        await store.RecordCertificateAttemptAsync(Names, "https://127.0.0.1:14000/dir", "ERR_BURROW_5203: no TXT record", time.GetUtcNow().AddSeconds(15));
        StoredCertificate pending = (await store.ListCertificatesAsync()).Single();
        Assert.Equal("*.burrow.test,burrow.test", pending.Names);
        Assert.False(pending.HasCertificate);
        Assert.Equal("ERR_BURROW_5203: no TXT record", pending.LastError);
        Assert.Equal(time.GetUtcNow(), pending.LastAttempt);
        Assert.Equal(time.GetUtcNow().AddSeconds(15), pending.NextAttempt);

        time.Advance(TimeSpan.FromSeconds(20));
        StoredCertificate saved = await store.SaveCertificateAsync(Certificate("0a1b", time.GetUtcNow()));
        StoredCertificate read = (await store.GetCertificateAsync(["BURROW.test", "*.burrow.test"]))!;
        Assert.Equal(saved, read);
        Assert.Equal(KeyPem, read.KeyPem);
        Assert.Null(read.LastError);
        Assert.Equal("0a1b", read.Serial);
        Assert.Equal(time.GetUtcNow().AddDays(90), read.NotAfter);
        Assert.Equal("acme", read.Source);

        // Listed without the key; a later failure keeps the certificate and shows the error.
        await store.RecordCertificateAttemptAsync(Names, null, "ERR_BURROW_5204: down", time.GetUtcNow().AddMinutes(1));
        StoredCertificate failing = (await store.ListCertificatesAsync()).Single();
        Assert.Null(failing.KeyPem);
        Assert.True(failing.HasCertificate);
        Assert.Equal("0a1b", failing.Serial);
        Assert.Equal("ERR_BURROW_5204: down", failing.LastError);
    }

    [Fact]
    public async Task Private_keys_are_sealed_in_the_database_and_another_store_key_cannot_open_them()
    {
        var (database, dir) = await TestStores.NewDatabaseAsync(StoreKind.Sqlite, postgres);
        Func<byte[]> sealingKey = TestStores.NewSealingKey();
        await using (var store = await ControlStore.OpenAsync(new StoreOptions { Database = database, DataDirectory = dir, SealingKey = sealingKey }))
        {
            await store.SaveCertificateAsync(Certificate("0a1b", DateTimeOffset.UtcNow));
            await store.AddAcmeAccountAsync("https://ca.example/dir", "-----BEGIN PRIVATE KEY-----\nACCOUNTSECRET\n-----END PRIVATE KEY-----", null, "mailto:ops@example.com");
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        string all = string.Concat(Directory.GetFiles(dir).Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        Assert.Contains("Pebble Intermediate CA", all, StringComparison.Ordinal); // the search does see the data
        Assert.DoesNotContain("SECRETSECRET", all, StringComparison.Ordinal);
        Assert.DoesNotContain("ACCOUNTSECRET", all, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", all, StringComparison.Ordinal);

        await using (var same = await ControlStore.OpenAsync(new StoreOptions { Database = database, DataDirectory = dir, SealingKey = sealingKey }))
        {
            Assert.Equal(KeyPem, (await same.GetCertificateAsync(Names))!.KeyPem);
        }

        await using (var other = await ControlStore.OpenAsync(new StoreOptions { Database = database, DataDirectory = dir, SealingKey = TestStores.NewSealingKey() }))
        {
            var ex = await Assert.ThrowsAsync<StoreException>(() => other.GetCertificateAsync(Names));
            Assert.Equal(StoreErrorKind.CannotUnseal, ex.Kind);
            Assert.Contains("same store key", ex.Message, StringComparison.Ordinal);
            Assert.Single(await other.ListCertificatesAsync()); // the list needs no key
        }

        await using (var none = await ControlStore.OpenAsync(new StoreOptions { Database = database, DataDirectory = dir }))
        {
            var ex = await Assert.ThrowsAsync<StoreException>(() => none.SaveCertificateAsync(Certificate("0c", DateTimeOffset.UtcNow)));
            Assert.Equal(StoreErrorKind.Invalid, ex.Kind);
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task The_first_account_key_stored_for_a_directory_is_the_one_every_edge_uses(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        const string Directory = "https://ca.example/dir";
        Assert.Null(await store.GetAcmeAccountAsync(Directory));
        AcmeAccountRecord first = await store.AddAcmeAccountAsync(Directory, "key one", null, "mailto:a@example.com");
        AcmeAccountRecord second = await store.AddAcmeAccountAsync(Directory, "key two", null, "mailto:b@example.com");
        Assert.Equal("key one", first.KeyPem);
        Assert.Equal("key one", second.KeyPem);
        await store.UpdateAcmeAccountAsync(Directory, "https://ca.example/acct/1", "mailto:a@example.com");
        AcmeAccountRecord read = (await store.GetAcmeAccountAsync(Directory))!;
        Assert.Equal("https://ca.example/acct/1", read.AccountUrl);
        Assert.Equal("key one", read.KeyPem);
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task A_revoked_mark_names_the_stored_serial_only_and_the_next_saved_certificate_clears_it(StoreKind kind)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        await using var store = await TestStores.OpenAsync(kind, postgres, time);
        Assert.False(await store.RecordCertificateRevokedAsync(Names, "0a0b"));
        await store.SaveCertificateAsync(Certificate("0A0B", time.GetUtcNow()));

        // Another serial (a certificate an edge has replaced since) is not marked; the stored one is, in any case.
        Assert.False(await store.RecordCertificateRevokedAsync(Names, "0c0d"));
        Assert.False((await store.GetCertificateAsync(Names))!.IsRevoked);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await store.RecordCertificateRevokedAsync(Names, "0a0b"));
        StoredCertificate revoked = (await store.ListCertificatesAsync()).Single();
        Assert.True(revoked.IsRevoked);
        Assert.Equal("0A0B", revoked.RevokedSerial);
        Assert.Equal(time.GetUtcNow(), revoked.NextAttempt);

        await store.SaveCertificateAsync(Certificate("0E0F", time.GetUtcNow()));
        StoredCertificate replaced = (await store.GetCertificateAsync(Names))!;
        Assert.False(replaced.IsRevoked);
        Assert.Null(replaced.RevokedSerial);
        Assert.Equal("0E0F", replaced.Serial);
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task One_holder_has_the_lease_until_it_releases_it_or_its_time_runs_out(StoreKind kind)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        await using var store = await TestStores.OpenAsync(kind, postgres, time);
        var lease = TimeSpan.FromMinutes(2);
        Assert.True(await store.TryTakeCertificateLeaseAsync(Names, "edge-a", lease));
        Assert.False(await store.TryTakeCertificateLeaseAsync(Names, "edge-b", lease));

        // The holder renews; the other still waits past the first term.
        time.Advance(TimeSpan.FromMinutes(1.5));
        Assert.True(await store.TryTakeCertificateLeaseAsync(Names, "edge-a", lease));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(await store.TryTakeCertificateLeaseAsync(Names, "edge-b", lease));

        // A crashed holder renews no more: its lease runs out and the other takes it.
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await store.TryTakeCertificateLeaseAsync(Names, "edge-b", lease));
        Assert.False(await store.TryTakeCertificateLeaseAsync(Names, "edge-a", lease));

        // Only the holder releases it.
        await store.ReleaseCertificateLeaseAsync(Names, "edge-a");
        Assert.False(await store.TryTakeCertificateLeaseAsync(Names, "edge-a", lease));
        await store.ReleaseCertificateLeaseAsync(Names, "edge-b");
        Assert.True(await store.TryTakeCertificateLeaseAsync(Names, "edge-a", lease));

        // Other names are another lease.
        Assert.True(await store.TryTakeCertificateLeaseAsync(["app.example.com"], "edge-b", lease));
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Of_many_edges_racing_for_a_free_lease_exactly_one_gets_it(StoreKind kind)
    {
        var (database, dir) = await TestStores.NewDatabaseAsync(kind, postgres);
        var stores = new List<IControlStore>();
        try
        {
            for (int i = 0; i < 6; i++)
            {
                stores.Add(await ControlStore.OpenAsync(new StoreOptions { Database = database, DataDirectory = dir }));
            }

            for (int round = 0; round < 5; round++)
            {
                string[] names = [$"round{round}.burrow.test"];
                bool[] taken = await Task.WhenAll(stores.Select((s, i) => Task.Run(() => s.TryTakeCertificateLeaseAsync(names, $"edge-{i}", TimeSpan.FromMinutes(1)))));
                Assert.Equal(1, taken.Count(t => t));
            }
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }
}

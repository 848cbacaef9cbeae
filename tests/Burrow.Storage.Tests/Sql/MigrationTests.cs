using Burrow.Storage.Sql;
using Burrow.Storage.Tests.Harness;
using Dapper;

namespace Burrow.Storage.Tests.Sql;

public sealed class MigrationTests(PostgresServer postgres)
{
    [Fact]
    public void Both_dialects_have_the_same_numbered_migrations()
    {
        var sqlite = Migrator.List("sqlite").Select(m => m.Version).ToList();
        var pg = Migrator.List("postgres").Select(m => m.Version).ToList();
        Assert.Equal(sqlite, pg);
        Assert.Equal(Enumerable.Range(1, sqlite.Count), sqlite);
        Assert.True(sqlite.Count >= 3);
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task An_empty_database_is_migrated_to_the_latest_version_and_reopening_changes_nothing(StoreKind kind)
    {
        var (database, dir) = await TestStores.NewDatabaseAsync(kind, postgres);
        var options = new StoreOptions { Database = database, DataDirectory = dir };
        int latest = Migrator.Latest(kind == StoreKind.Sqlite ? "sqlite" : "postgres");
        await using (var store = await ControlStore.OpenAsync(options))
        {
            Assert.Equal(latest, await store.GetSchemaVersionAsync());
            await store.CreateAccountAsync("alice");
        }

        await using (var again = await ControlStore.OpenAsync(options))
        {
            Assert.Equal(latest, await again.GetSchemaVersionAsync());
            Assert.Equal(1, await again.CountAccountsAsync());
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task A_database_at_the_previous_version_is_migrated_and_keeps_its_data(StoreKind kind)
    {
        var (database, dir) = await TestStores.NewDatabaseAsync(kind, postgres);
        var options = new StoreOptions { Database = database, DataDirectory = dir };
        int latest = Migrator.Latest(kind == StoreKind.Sqlite ? "sqlite" : "postgres");
        CreatedAuthtoken token;
        ReservedDomain demo;
        await using (var old = await SqlControlStore.OpenAsync(options, latest - 1, CancellationToken.None))
        {
            Assert.Equal(latest - 1, await old.GetSchemaVersionAsync());
            Account alice = await old.CreateAccountAsync("alice");
            token = await old.CreateAuthtokenAsync(new NewAuthtoken { AccountId = alice.Id, Name = "laptop", Scopes = new AuthtokenScopes { MaxSessions = 2 } });
            await old.AppendAuditEventAsync(new NewAuditEvent { Kind = AuditKinds.TokenCreated, AuthtokenId = token.Token.Id });
            demo = await old.ReserveDomainAsync(alice.Id, "demo.example.com", "the demo");
            // A certificate row as version 6 writes it: the latest (7) adds revoked_serial to that table, and acme_challenges.
            await old.RecordCertificateAttemptAsync(["*.burrow.test", "burrow.test"], "https://ca.test/dir", "ERR_BURROW_5203: no TXT record", DateTimeOffset.UtcNow.AddMinutes(1));
        }

        await using var store = await ControlStore.OpenAsync(options);
        Assert.Equal(latest, await store.GetSchemaVersionAsync());
        Authtoken? found = await store.FindAuthtokenAsync(token.Secret);
        Assert.Equal(token.Token, found);
        Assert.Equal(2, found!.Scopes.MaxSessions);
        Assert.Single(await store.QueryAuditEventsAsync(new AuditQuery { Kind = AuditKinds.TokenCreated }));
        Assert.Equal(demo, await store.FindReservedDomainAsync("demo.example.com"));
        Assert.Equal("on_http_request: []", (await store.SetDomainTrafficPolicyAsync(demo.Id, "on_http_request: []"))!.TrafficPolicy);
        StoredCertificate kept = Assert.Single(await store.ListCertificatesAsync());
        Assert.Equal(("*.burrow.test,burrow.test", "ERR_BURROW_5203: no TXT record", null), (kept.Names, kept.LastError, kept.RevokedSerial));
        await store.PublishAcmeChallengeAsync("http-01", "token", "token.thumb", DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal(["token.thumb"], await store.FindAcmeChallengeAsync("http-01", "token"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task A_database_newer_than_this_build_is_refused(StoreKind kind)
    {
        var (database, dir) = await TestStores.NewDatabaseAsync(kind, postgres);
        var options = new StoreOptions { Database = database, DataDirectory = dir };
        await (await ControlStore.OpenAsync(options)).DisposeAsync();
        SqlDialect dialect = DatabaseAddress.Parse(database, dir);
        await using (dialect)
        {
            await using var connection = await dialect.OpenAsync(CancellationToken.None);
            await connection.ExecuteAsync("INSERT INTO schema_version (version, applied_at) VALUES (999, 0)");
        }

        var ex = await Assert.ThrowsAsync<StoreException>(() => ControlStore.OpenAsync(options));
        Assert.Equal(StoreErrorKind.MigrationFailed, ex.Kind);
        Assert.Contains("999", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edges_starting_together_on_one_postgres_database_migrate_it_once()
    {
        string database = await postgres.CreateDatabaseAsync();
        var options = new StoreOptions { Database = database, DataDirectory = Path.GetTempPath() };
        IControlStore[] stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => ControlStore.OpenAsync(options))));
        try
        {
            foreach (IControlStore store in stores)
            {
                Assert.Equal(Migrator.Latest("postgres"), await store.GetSchemaVersionAsync());
            }
        }
        finally
        {
            foreach (IControlStore store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_unreachable_postgres_is_reported_as_unavailable()
    {
        int port = Harness.FreePorts.Next();
        var ex = await Assert.ThrowsAsync<StoreException>(() => ControlStore.OpenAsync(new StoreOptions
        {
            Database = $"postgres://burrow@127.0.0.1:{port}/nothing?timeout=5",
            DataDirectory = Path.GetTempPath(),
        }));
        Assert.Equal(StoreErrorKind.Unavailable, ex.Kind);
    }
}

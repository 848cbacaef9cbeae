using System.Text;
using Burrow.Storage.Tests.Harness;
using Microsoft.Extensions.Time.Testing;

namespace Burrow.Storage.Tests;

public sealed class AuthtokenTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task A_created_token_is_found_by_its_secret_and_not_by_a_near_miss(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        Account alice = await store.CreateAccountAsync("alice");
        CreatedAuthtoken created = await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = alice.Id, Name = "laptop" });

        Assert.Matches("^brw_[0-9A-Za-z]{40}$", created.Secret);
        Assert.StartsWith("tok_", created.Token.Id, StringComparison.Ordinal);
        Assert.Equal(created.Secret[..8], created.Token.Hint);
        Assert.DoesNotContain(created.Secret, created.ToString(), StringComparison.Ordinal);

        Authtoken? found = await store.FindAuthtokenAsync(created.Secret);
        Assert.Equal(created.Token, found);
        char last = created.Secret[^1] == 'a' ? 'b' : 'a';
        Assert.Null(await store.FindAuthtokenAsync(created.Secret[..^1] + last));
        Assert.Null(await store.FindAuthtokenAsync(""));
        Assert.Equal(created.Token, await store.GetAuthtokenAsync(created.Token.Id));
    }

    [Fact]
    public async Task The_secret_is_not_in_the_sqlite_file()
    {
        var (_, dir) = await TestStores.NewDatabaseAsync(StoreKind.Sqlite, postgres);
        string secret;
        await using (var store = await ControlStore.OpenAsync(new StoreOptions { DataDirectory = dir }))
        {
            Account alice = await store.CreateAccountAsync("alice");
            secret = (await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = alice.Id, Name = "laptop" })).Secret;
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        string all = string.Concat(Directory.GetFiles(dir).Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        Assert.Contains("brw_", all, StringComparison.Ordinal); // the hint is there, so the search does see the data
        Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[8..], all, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Revoking_marks_the_token_once_and_makes_it_unusable(StoreKind kind)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        await using var store = await TestStores.OpenAsync(kind, postgres, time);
        Account alice = await store.CreateAccountAsync("alice");
        CreatedAuthtoken a = await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = alice.Id, Name = "a" });
        CreatedAuthtoken b = await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = alice.Id, Name = "b" });

        time.Advance(TimeSpan.FromMinutes(1));
        Authtoken? revoked = await store.RevokeAuthtokenAsync(a.Token.Id);
        Assert.Equal(time.GetUtcNow(), revoked!.RevokedAt);
        Assert.True(revoked.IsRevoked);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(revoked.RevokedAt, (await store.RevokeAuthtokenAsync(a.Token.Id))!.RevokedAt);
        Assert.Null(await store.RevokeAuthtokenAsync("tok_missing"));

        // Found still, so the edge can say "revoked" rather than "unknown".
        Assert.True((await store.FindAuthtokenAsync(a.Secret))!.IsRevoked);
        Assert.Equal([a.Token.Id, "tok_missing"], await store.FindUnusableAuthtokensAsync([a.Token.Id, b.Token.Id, "tok_missing"], time.GetUtcNow()));
        Assert.Empty(await store.FindUnusableAuthtokensAsync([], time.GetUtcNow()));
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task A_token_expires_at_its_expiry(StoreKind kind)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        await using var store = await TestStores.OpenAsync(kind, postgres, time);
        Account alice = await store.CreateAccountAsync("alice");
        DateTimeOffset expiry = time.GetUtcNow().AddHours(1);
        CreatedAuthtoken token = await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = alice.Id, Name = "1h", ExpiresAt = expiry });

        Assert.Equal(expiry, token.Token.ExpiresAt);
        Assert.True(token.Token.IsUsableAt(expiry.AddTicks(-TimeSpan.TicksPerMillisecond)));
        Assert.False(token.Token.IsUsableAt(expiry));
        Assert.Empty(await store.FindUnusableAuthtokensAsync([token.Token.Id], expiry.AddSeconds(-1)));
        Assert.Equal([token.Token.Id], await store.FindUnusableAuthtokensAsync([token.Token.Id], expiry));
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Scopes_are_kept_and_can_be_replaced(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        Account alice = await store.CreateAccountAsync("alice");
        var scopes = new AuthtokenScopes { Hostnames = ["*.alice.example.com", "demo"], AllowTcp = false, AllowTls = true, MaxTunnels = 3, MaxSessions = 1 };
        CreatedAuthtoken token = await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = alice.Id, Name = "scoped", Scopes = scopes });

        Authtoken found = (await store.FindAuthtokenAsync(token.Secret))!;
        Assert.Equal(["*.alice.example.com", "demo"], found.Scopes.Hostnames);
        Assert.False(found.Scopes.AllowTcp);
        Assert.True(found.Scopes.AllowTls);
        Assert.Equal(3, found.Scopes.MaxTunnels);
        Assert.Equal(1, found.Scopes.MaxSessions);

        Authtoken? updated = await store.UpdateAuthtokenScopesAsync(token.Token.Id, AuthtokenScopes.Unrestricted);
        Assert.Empty(updated!.Scopes.Hostnames);
        Assert.True(updated.Scopes.AllowTcp);
        Assert.Null(updated.Scopes.MaxSessions);
        Assert.Null(await store.UpdateAuthtokenScopesAsync("tok_missing", AuthtokenScopes.Unrestricted));
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Bad_scopes_and_unknown_accounts_are_refused(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        Account alice = await store.CreateAccountAsync("alice");
        var bad = await Assert.ThrowsAsync<StoreException>(() => store.CreateAuthtokenAsync(new NewAuthtoken
        {
            AccountId = alice.Id, Name = "x", Scopes = new AuthtokenScopes { Hostnames = ["bad name!"] },
        }));
        Assert.Equal(StoreErrorKind.Invalid, bad.Kind);
        var negative = await Assert.ThrowsAsync<StoreException>(() => store.CreateAuthtokenAsync(new NewAuthtoken
        {
            AccountId = alice.Id, Name = "x", Scopes = new AuthtokenScopes { MaxSessions = -1 },
        }));
        Assert.Equal(StoreErrorKind.Invalid, negative.Kind);
        var missing = await Assert.ThrowsAsync<StoreException>(() => store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = "acc_missing", Name = "x" }));
        Assert.Equal(StoreErrorKind.NotFound, missing.Kind);
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Tokens_are_listed_per_account(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        Account alice = await store.CreateAccountAsync("alice");
        Account bob = await store.CreateAccountAsync("bob");
        await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = alice.Id, Name = "a1" });
        await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = alice.Id, Name = "a2" });
        await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = bob.Id, Name = "b1" });

        Assert.Equal(["a1", "a2"], (await store.ListAuthtokensAsync(alice.Id)).Select(t => t.Name).Order());
        Assert.Equal(3, (await store.ListAuthtokensAsync()).Count);
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Concurrent_creation_gives_distinct_working_tokens(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        Account alice = await store.CreateAccountAsync("alice");
        CreatedAuthtoken[] created = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Task.Run(() => store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = alice.Id, Name = $"t{i}" }))));

        Assert.Equal(40, created.Select(c => c.Secret).Distinct().Count());
        Assert.Equal(40, created.Select(c => c.Token.Id).Distinct().Count());
        foreach (CreatedAuthtoken c in created)
        {
            Assert.Equal(c.Token.Id, (await store.FindAuthtokenAsync(c.Secret))!.Id);
        }
    }
}

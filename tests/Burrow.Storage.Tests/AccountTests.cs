using Burrow.Storage.Tests.Harness;

namespace Burrow.Storage.Tests;

public sealed class AccountTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Accounts_are_created_listed_renamed_and_deleted(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        Assert.Equal(0, await store.CountAccountsAsync());

        Account alice = await store.CreateAccountAsync("alice");
        Account bob = await store.CreateAccountAsync("  bob ");
        Assert.StartsWith("acc_", alice.Id, StringComparison.Ordinal);
        Assert.Equal("bob", bob.Name);
        Assert.Equal(2, await store.CountAccountsAsync());
        Assert.Equal(["alice", "bob"], (await store.ListAccountsAsync()).Select(a => a.Name).Order());
        Assert.Equal(alice, await store.GetAccountAsync(alice.Id));

        Account? renamed = await store.RenameAccountAsync(bob.Id, "robert");
        Assert.Equal("robert", renamed!.Name);
        Assert.Null(await store.RenameAccountAsync("acc_missing", "x"));

        Assert.True(await store.DeleteAccountAsync(bob.Id));
        Assert.False(await store.DeleteAccountAsync(bob.Id));
        Assert.Null(await store.GetAccountAsync(bob.Id));
        Assert.Equal(1, await store.CountAccountsAsync());
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Account_names_are_unique_ignoring_case(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        await store.CreateAccountAsync("alice");
        var ex = await Assert.ThrowsAsync<StoreException>(() => store.CreateAccountAsync("ALICE"));
        Assert.Equal(StoreErrorKind.Conflict, ex.Kind);

        Account bob = await store.CreateAccountAsync("bob");
        ex = await Assert.ThrowsAsync<StoreException>(() => store.RenameAccountAsync(bob.Id, "Alice"));
        Assert.Equal(StoreErrorKind.Conflict, ex.Kind);
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Empty_names_are_refused(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        var ex = await Assert.ThrowsAsync<StoreException>(() => store.CreateAccountAsync("  "));
        Assert.Equal(StoreErrorKind.Invalid, ex.Kind);
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Deleting_an_account_deletes_its_tokens_keys_and_reservations(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        Account alice = await store.CreateAccountAsync("alice");
        CreatedAuthtoken token = await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = alice.Id, Name = "laptop" });
        CreatedApiKey key = await store.CreateApiKeyAsync(alice.Id, "ci");
        await store.ReserveDomainAsync(alice.Id, "demo.example.com");
        await store.ReserveTcpAddressAsync(alice.Id, 20123);

        Assert.True(await store.DeleteAccountAsync(alice.Id));

        Assert.Null(await store.FindAuthtokenAsync(token.Secret));
        Assert.Null(await store.FindApiKeyAsync(key.Secret));
        Assert.Null(await store.FindReservedDomainAsync("demo.example.com"));
        Assert.Null(await store.FindReservedTcpAddressAsync(20123));
        Assert.Equal([token.Token.Id], await store.FindUnusableAuthtokensAsync([token.Token.Id], DateTimeOffset.UtcNow));
    }
}

using Burrow.Storage.Tests.Harness;

namespace Burrow.Storage.Tests;

public sealed class ApiKeyTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Api_keys_are_created_found_listed_and_revoked_apart_from_authtokens(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        Account alice = await store.CreateAccountAsync("alice");
        CreatedApiKey key = await store.CreateApiKeyAsync(alice.Id, "ci");

        Assert.Matches("^brwk_[0-9A-Za-z]{40}$", key.Secret);
        Assert.StartsWith("key_", key.Key.Id, StringComparison.Ordinal);
        Assert.Equal(key.Key, await store.FindApiKeyAsync(key.Secret));
        Assert.Null(await store.FindAuthtokenAsync(key.Secret));
        Assert.Null(await store.FindApiKeyAsync(key.Secret + "x"));
        Assert.Equal([key.Key], await store.ListApiKeysAsync(alice.Id));
        Assert.Equal([key.Key], await store.ListApiKeysAsync());

        ApiKey? revoked = await store.RevokeApiKeyAsync(key.Key.Id);
        Assert.True(revoked!.IsRevoked);
        Assert.True((await store.FindApiKeyAsync(key.Secret))!.IsRevoked);
        Assert.Null(await store.RevokeApiKeyAsync("key_missing"));

        var missing = await Assert.ThrowsAsync<StoreException>(() => store.CreateApiKeyAsync("acc_missing", "x"));
        Assert.Equal(StoreErrorKind.NotFound, missing.Kind);
    }
}

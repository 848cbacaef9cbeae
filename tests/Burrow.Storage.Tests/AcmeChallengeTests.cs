using Burrow.Storage.Tests.Harness;
using Microsoft.Extensions.Time.Testing;

namespace Burrow.Storage.Tests;

/// <summary>Pending ACME challenge answers shared by a cluster's edges (table acme_challenges), on both databases.</summary>
public sealed class AcmeChallengeTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Published_answers_are_found_by_type_and_key_until_withdrawn_or_expired(StoreKind kind)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        await using var store = await TestStores.OpenAsync(kind, postgres, time);
        DateTimeOffset inAnHour = time.GetUtcNow().AddHours(1);

        await store.PublishAcmeChallengeAsync("http-01", "TokenA_-xyz", "TokenA_-xyz.thumb", inAnHour);
        // Two authorizations of one order (*.zone and zone) share one dns-01 record name; names ignore case and the final dot.
        await store.PublishAcmeChallengeAsync("dns-01", "_acme-challenge.Tunnels.Test.", "k2", inAnHour);
        await store.PublishAcmeChallengeAsync("dns-01", "_acme-challenge.tunnels.test", "k1", inAnHour);
        await store.PublishAcmeChallengeAsync("tls-alpn-01", "app.customer.test", "k3", time.GetUtcNow().AddMinutes(1));

        Assert.Equal(["TokenA_-xyz.thumb"], await store.FindAcmeChallengeAsync("http-01", "TokenA_-xyz"));
        // Tokens are exact: another case is another token.
        Assert.Empty(await store.FindAcmeChallengeAsync("http-01", "tokena_-xyz"));
        Assert.Empty(await store.FindAcmeChallengeAsync("tls-alpn-01", "TokenA_-xyz"));
        Assert.Equal(["k1", "k2"], await store.FindAcmeChallengeAsync("dns-01", "_ACME-challenge.tunnels.test."));
        Assert.Equal(["k3"], await store.FindAcmeChallengeAsync("tls-alpn-01", "APP.customer.test"));

        // Publishing again extends; withdrawing one dns-01 value leaves the other.
        await store.PublishAcmeChallengeAsync("tls-alpn-01", "app.customer.test", "k3", inAnHour);
        await store.WithdrawAcmeChallengeAsync("dns-01", "_acme-challenge.tunnels.test", "k2");
        Assert.Equal(["k1"], await store.FindAcmeChallengeAsync("dns-01", "_acme-challenge.tunnels.test"));

        // Past its time a row is not found (and the next publication deletes it).
        time.Advance(TimeSpan.FromMinutes(61));
        Assert.Empty(await store.FindAcmeChallengeAsync("http-01", "TokenA_-xyz"));
        Assert.Empty(await store.FindAcmeChallengeAsync("tls-alpn-01", "app.customer.test"));
        await store.PublishAcmeChallengeAsync("http-01", "TokenB", "TokenB.thumb", time.GetUtcNow().AddHours(1));
        Assert.Equal(["TokenB.thumb"], await store.FindAcmeChallengeAsync("http-01", "TokenB"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task An_unknown_challenge_type_is_refused_as_invalid(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres, TimeProvider.System);

        var error = await Assert.ThrowsAsync<StoreException>(() => store.PublishAcmeChallengeAsync("dns-02", "x", "y", DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Equal(StoreErrorKind.Invalid, error.Kind);
    }
}

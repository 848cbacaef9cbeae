using Burrow.Storage.Tests.Harness;

namespace Burrow.Storage.Tests;

public sealed class ReservationTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task A_domain_is_reserved_for_one_account_found_ignoring_case_and_released(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        Account alice = await store.CreateAccountAsync("alice");
        Account bob = await store.CreateAccountAsync("bob");

        ReservedDomain demo = await store.ReserveDomainAsync(alice.Id, "Demo.Example.com.", "the demo");
        Assert.Equal("demo.example.com", demo.Hostname);
        Assert.Equal("the demo", demo.Description);
        Assert.Equal(demo, await store.FindReservedDomainAsync("DEMO.example.com"));

        var taken = await Assert.ThrowsAsync<StoreException>(() => store.ReserveDomainAsync(bob.Id, "demo.example.com"));
        Assert.Equal(StoreErrorKind.Conflict, taken.Kind);
        await store.ReserveDomainAsync(bob.Id, "app.bob.dev");
        Assert.Equal(["demo.example.com"], (await store.ListReservedDomainsAsync(alice.Id)).Select(d => d.Hostname));
        Assert.Equal(["app.bob.dev", "demo.example.com"], (await store.ListReservedDomainsAsync()).Select(d => d.Hostname));

        Assert.True(await store.ReleaseDomainAsync(demo.Id));
        Assert.False(await store.ReleaseDomainAsync(demo.Id));
        Assert.Null(await store.FindReservedDomainAsync("demo.example.com"));
        Assert.Equal(bob.Id, (await store.ReserveDomainAsync(bob.Id, "demo.example.com")).AccountId);
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Bad_hostnames_and_unknown_accounts_are_refused(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        Account alice = await store.CreateAccountAsync("alice");
        foreach (string bad in new[] { "", "*.example.com", "a..b", "-x.example.com", "bad name.com" })
        {
            var ex = await Assert.ThrowsAsync<StoreException>(() => store.ReserveDomainAsync(alice.Id, bad));
            Assert.Equal(StoreErrorKind.Invalid, ex.Kind);
        }

        var missing = await Assert.ThrowsAsync<StoreException>(() => store.ReserveDomainAsync("acc_missing", "x.example.com"));
        Assert.Equal(StoreErrorKind.NotFound, missing.Kind);
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task A_tcp_port_is_reserved_for_one_account_and_released(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        Account alice = await store.CreateAccountAsync("alice");
        Account bob = await store.CreateAccountAsync("bob");

        ReservedTcpAddress port = await store.ReserveTcpAddressAsync(alice.Id, 20100, "ssh");
        Assert.Equal(20100, port.Port);
        Assert.Equal(port, await store.FindReservedTcpAddressAsync(20100));
        Assert.Null(await store.FindReservedTcpAddressAsync(20101));

        var taken = await Assert.ThrowsAsync<StoreException>(() => store.ReserveTcpAddressAsync(bob.Id, 20100));
        Assert.Equal(StoreErrorKind.Conflict, taken.Kind);
        foreach (int bad in new[] { 0, -1, 65536 })
        {
            var ex = await Assert.ThrowsAsync<StoreException>(() => store.ReserveTcpAddressAsync(bob.Id, bad));
            Assert.Equal(StoreErrorKind.Invalid, ex.Kind);
        }

        await store.ReserveTcpAddressAsync(bob.Id, 20002);
        Assert.Equal([20002, 20100], (await store.ListReservedTcpAddressesAsync()).Select(a => a.Port));
        Assert.Equal([20100], (await store.ListReservedTcpAddressesAsync(alice.Id)).Select(a => a.Port));
        Assert.True(await store.ReleaseTcpAddressAsync(port.Id));
        Assert.False(await store.ReleaseTcpAddressAsync(port.Id));
        Assert.Null(await store.FindReservedTcpAddressAsync(20100));
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Racing_reservations_of_one_hostname_leave_exactly_one_owner(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        Account[] accounts = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => store.CreateAccountAsync($"a{i}")));
        var outcomes = await Task.WhenAll(accounts.Select(a => Task.Run(async () =>
        {
            try
            {
                return (Owner: (await store.ReserveDomainAsync(a.Id, "race.example.com")).AccountId, Error: (StoreErrorKind?)null);
            }
            catch (StoreException ex)
            {
                return (Owner: (string?)null, Error: (StoreErrorKind?)ex.Kind);
            }
        })));

        string winner = Assert.Single(outcomes, o => o.Owner is not null).Owner!;
        Assert.All(outcomes.Where(o => o.Owner is null), o => Assert.Equal(StoreErrorKind.Conflict, o.Error));
        Assert.Equal(winner, (await store.FindReservedDomainAsync("race.example.com"))!.AccountId);
    }
}

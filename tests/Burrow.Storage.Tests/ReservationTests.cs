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
    public async Task A_traffic_policy_is_pinned_to_a_reserved_domain_kept_as_written_replaced_and_cleared(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        Account alice = await store.CreateAccountAsync("alice");
        ReservedDomain demo = await store.ReserveDomainAsync(alice.Id, "demo.example.com");
        ReservedDomain other = await store.ReserveDomainAsync(alice.Id, "other.example.com");
        Assert.Null(demo.TrafficPolicy);

        // Stored byte for byte (comments, quotes, non-ASCII), since errors found later point at its lines.
        const string policy = "# the operator's\non_http_request:\n  - expressions: [\"hasReqHeader('x-block')\"]\n    actions: [{type: deny, config: {status_code: 451}}]  # café\n";
        ReservedDomain pinned = (await store.SetDomainTrafficPolicyAsync(demo.Id, policy))!;
        Assert.Equal(demo with { TrafficPolicy = policy }, pinned);
        Assert.Equal(policy, (await store.FindReservedDomainAsync("DEMO.example.com"))!.TrafficPolicy);
        Assert.Equal(pinned, await store.GetReservedDomainAsync(demo.Id));
        Assert.Equal([policy, null], (await store.ListReservedDomainsAsync(alice.Id)).Select(d => d.TrafficPolicy));

        string large = "on_http_request:\n" + string.Concat(Enumerable.Repeat("  - actions: [{type: log}]\n", 2000));
        Assert.Equal(large, (await store.SetDomainTrafficPolicyAsync(demo.Id, large))!.TrafficPolicy);
        Assert.Null((await store.SetDomainTrafficPolicyAsync(demo.Id, null))!.TrafficPolicy);
        Assert.Null((await store.FindReservedDomainAsync("demo.example.com"))!.TrafficPolicy);
        Assert.Null((await store.GetReservedDomainAsync(other.Id))!.TrafficPolicy);

        Assert.Null(await store.SetDomainTrafficPolicyAsync("rd_missing", policy));
        Assert.Null(await store.GetReservedDomainAsync("rd_missing"));
        await store.SetDomainTrafficPolicyAsync(demo.Id, policy);
        Assert.True(await store.ReleaseDomainAsync(demo.Id));
        Assert.Null(await store.SetDomainTrafficPolicyAsync(demo.Id, policy));
        // A new reservation of the name starts without the old pin.
        Assert.Null((await store.ReserveDomainAsync(alice.Id, "demo.example.com")).TrafficPolicy);
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task A_traffic_policy_is_pinned_to_a_reserved_tcp_address_and_cleared(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        Account alice = await store.CreateAccountAsync("alice");
        ReservedTcpAddress ssh = await store.ReserveTcpAddressAsync(alice.Id, 20122, "ssh");
        const string policy = "on_tcp_connect:\n  - actions: [{type: restrict-ips, config: {allow: [10.0.0.0/8]}}]\n";

        Assert.Equal(ssh with { TrafficPolicy = policy }, await store.SetTcpAddressTrafficPolicyAsync(ssh.Id, policy));
        Assert.Equal(policy, (await store.FindReservedTcpAddressAsync(20122))!.TrafficPolicy);
        Assert.Equal(policy, (await store.GetReservedTcpAddressAsync(ssh.Id))!.TrafficPolicy);
        Assert.Equal([policy], (await store.ListReservedTcpAddressesAsync()).Select(a => a.TrafficPolicy));
        Assert.Null((await store.SetTcpAddressTrafficPolicyAsync(ssh.Id, null))!.TrafficPolicy);
        Assert.Null((await store.FindReservedTcpAddressAsync(20122))!.TrafficPolicy);
        Assert.Null(await store.SetTcpAddressTrafficPolicyAsync("ra_missing", policy));
        Assert.Null(await store.GetReservedTcpAddressAsync("ra_missing"));
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

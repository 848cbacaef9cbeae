using Burrow.Storage.Tests.Harness;
using Microsoft.Extensions.Time.Testing;

namespace Burrow.Storage.Tests;

public sealed class AuditTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Events_are_queried_by_time_kind_and_account_newest_first_with_a_limit(StoreKind kind)
    {
        var t0 = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(t0);
        await using var store = await TestStores.OpenAsync(kind, postgres, time);

        AuditEvent first = await store.AppendAuditEventAsync(new NewAuditEvent
        {
            Kind = AuditKinds.SessionOpened, AccountId = "acc_a", AuthtokenId = "tok_a", SessionId = "ses_1", Address = "127.0.0.1:5000",
        });
        Assert.Equal(t0, first.At);
        Assert.Equal("127.0.0.1:5000", first.Address);
        time.Advance(TimeSpan.FromMinutes(1));
        await store.AppendAuditEventAsync(new NewAuditEvent { Kind = AuditKinds.TunnelBound, AccountId = "acc_a", Subject = "demo.example.com" });
        time.Advance(TimeSpan.FromMinutes(1));
        await store.AppendAuditEventAsync(new NewAuditEvent { Kind = AuditKinds.TunnelRefused, AccountId = "acc_b", Subject = "x.example.com", Detail = "ERR_BURROW_2002" });
        time.Advance(TimeSpan.FromMinutes(1));
        AuditEvent last = await store.AppendAuditEventAsync(new NewAuditEvent { Kind = AuditKinds.TunnelBound, AccountId = "acc_b", Subject = "y.example.com" });
        Assert.True(last.Id > first.Id);

        var all = await store.QueryAuditEventsAsync(new AuditQuery());
        Assert.Equal(4, all.Count);
        Assert.Equal(last, all[0]);
        Assert.Equal(first, all[^1]);

        Assert.Equal(["y.example.com", "demo.example.com"], (await store.QueryAuditEventsAsync(new AuditQuery { Kind = AuditKinds.TunnelBound })).Select(e => e.Subject));
        Assert.Equal([AuditKinds.TunnelBound, AuditKinds.TunnelRefused], (await store.QueryAuditEventsAsync(new AuditQuery { AccountId = "acc_b" })).Select(e => e.Kind));
        var window = await store.QueryAuditEventsAsync(new AuditQuery { Since = t0.AddMinutes(1), Until = t0.AddMinutes(3) });
        Assert.Equal([AuditKinds.TunnelRefused, AuditKinds.TunnelBound], window.Select(e => e.Kind));
        Assert.Equal("ERR_BURROW_2002", window[0].Detail);

        var page1 = await store.QueryAuditEventsAsync(new AuditQuery { Limit = 3 });
        var page2 = await store.QueryAuditEventsAsync(new AuditQuery { Limit = 3, BeforeId = page1[^1].Id });
        Assert.Equal(3, page1.Count);
        Assert.Equal([first], page2);

        var bad = await Assert.ThrowsAsync<StoreException>(() => store.QueryAuditEventsAsync(new AuditQuery { Limit = 0 }));
        Assert.Equal(StoreErrorKind.Invalid, bad.Kind);
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task A_batch_of_events_is_stored_whole_in_order(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        NewAuditEvent[] batch = [.. Enumerable.Range(0, 300).Select(i => new NewAuditEvent { Kind = AuditKinds.TunnelBound, Subject = $"n{i}.example.com" })];
        Assert.Equal(300, await store.AppendAuditEventsAsync(batch));
        Assert.Equal(0, await store.AppendAuditEventsAsync([]));

        var stored = await store.QueryAuditEventsAsync(new AuditQuery { Limit = 1000 });
        Assert.Equal(batch.Select(e => e.Subject).Reverse(), stored.Select(e => e.Subject));

        // One bad event: none of the batch is stored.
        var bad = await Assert.ThrowsAsync<StoreException>(() => store.AppendAuditEventsAsync([new NewAuditEvent { Kind = "ok" }, new NewAuditEvent { Kind = "" }]));
        Assert.Equal(StoreErrorKind.Invalid, bad.Kind);
        Assert.Empty(await store.QueryAuditEventsAsync(new AuditQuery { Kind = "ok" }));
    }

    [Theory]
    [MemberData(nameof(TestStores.Kinds), MemberType = typeof(TestStores))]
    public async Task Values_that_look_like_sql_are_stored_as_text(StoreKind kind)
    {
        await using var store = await TestStores.OpenAsync(kind, postgres);
        const string Hostile = "x'); DROP TABLE audit_events; --";
        await store.AppendAuditEventAsync(new NewAuditEvent { Kind = Hostile, Detail = Hostile });
        Account account = await store.CreateAccountAsync(Hostile);

        Assert.Equal(Hostile, (await store.QueryAuditEventsAsync(new AuditQuery { Kind = Hostile })).Single().Detail);
        Assert.Equal(Hostile, (await store.GetAccountAsync(account.Id))!.Name);
    }
}

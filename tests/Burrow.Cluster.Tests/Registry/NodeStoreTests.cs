using System.Security.Cryptography;
using Burrow.Cluster.Tests.Harness;
using Burrow.Storage;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Registry;

/// <summary>The node registry's rows and the cluster CA's row, on the real PostgreSQL.</summary>
[Collection(ClusterPostgres.Name)]
public sealed class NodeStoreTests(PostgresServer postgres)
{
    private static NodeHeartbeat Beat(string name, string instance, TimeSpan lease) => new()
    {
        Name = name,
        InstanceId = instance,
        LinkAddress = "127.0.0.1:7001",
        AgentAddress = "127.0.0.1:4443",
        StartedAt = DateTimeOffset.UtcNow,
        Lease = lease,
        LoadJson = """{"tunnels":1}""",
    };

    private async Task<IControlStore> OpenAsync(string? database = null, byte[]? key = null)
    {
        key ??= RandomNumberGenerator.GetBytes(32);
        return await ControlStore.OpenAsync(new StoreOptions
        {
            Database = database ?? await postgres.CreateDatabaseAsync(),
            DataDirectory = Path.GetTempPath(),
            SealingKey = () => key,
        }, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Heartbeat_NameHeldByAnotherLiveInstance_IsRefusedUntilTheLeaseRunsOut()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string database = await postgres.CreateDatabaseAsync();
        await using IControlStore store = await OpenAsync(database);

        Assert.True(await store.HeartbeatNodeAsync(Beat("edge-1", "first", TimeSpan.FromSeconds(2)), ct));
        Assert.True(await store.HeartbeatNodeAsync(Beat("edge-1", "first", TimeSpan.FromSeconds(2)), ct)); // its own renewal
        Assert.False(await store.HeartbeatNodeAsync(Beat("edge-1", "second", TimeSpan.FromSeconds(2)), ct));

        IReadOnlyList<NodeRecord> rows = await store.ListNodesAsync(ct);
        NodeRecord row = Assert.Single(rows);
        Assert.Equal("first", row.InstanceId);
        Assert.True(row.Live);
        Assert.Equal("""{"tunnels":1}""", row.LoadJson);

        // The lease runs out by the database's clock: the row is gone from the live set, and the name can be taken.
        await Task.Delay(TimeSpan.FromSeconds(2.5), ct);
        Assert.False(Assert.Single(await store.ListNodesAsync(ct)).Live);
        Assert.True(await store.HeartbeatNodeAsync(Beat("edge-1", "second", TimeSpan.FromSeconds(10)), ct));
        Assert.Equal("second", Assert.Single(await store.ListNodesAsync(ct)).InstanceId);
    }

    [Fact]
    public async Task Leave_ByTheHolder_DeletesTheRow_ByAnotherInstance_DoesNothing()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using IControlStore store = await OpenAsync();
        Assert.True(await store.HeartbeatNodeAsync(Beat("edge-1", "first", TimeSpan.FromSeconds(10)), ct));

        await store.LeaveNodeAsync("edge-1", "not-the-holder", ct);
        Assert.Single(await store.ListNodesAsync(ct));
        await store.LeaveNodeAsync("edge-1", "first", ct);
        Assert.Empty(await store.ListNodesAsync(ct));
    }

    [Fact]
    public async Task Listen_AJoiningNode_IsAnnouncedOnBurrowNodes()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string database = await postgres.CreateDatabaseAsync();
        await using IControlStore store = await OpenAsync(database);
        var listening = new TaskCompletionSource();
        var announced = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task listen = store.ListenAsync("burrow_nodes", () => listening.TrySetResult(), payload => announced.TrySetResult(payload), stop.Token);
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.True(await store.HeartbeatNodeAsync(Beat("edge-7", "x", TimeSpan.FromSeconds(10)), ct));
        Assert.Equal("edge-7", await announced.Task.WaitAsync(TimeSpan.FromSeconds(10), ct));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listen);
    }

    [Fact]
    public async Task ClusterAuthority_IsMadeOnce_AndNeedsTheSameStoreKey()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string database = await postgres.CreateDatabaseAsync();
        byte[] key = RandomNumberGenerator.GetBytes(32);
        await using IControlStore first = await OpenAsync(database, key);
        await using IControlStore second = await OpenAsync(database, key);
        await using IControlStore otherKey = await OpenAsync(database, RandomNumberGenerator.GetBytes(32));
        int made = 0;
        ClusterAuthorityRecord Make(string tag)
        {
            Interlocked.Increment(ref made);
            return new ClusterAuthorityRecord("cert " + tag, "key " + tag);
        }

        ClusterAuthorityRecord a = await first.GetOrCreateClusterAuthorityAsync(() => Make("a"), ct);
        ClusterAuthorityRecord b = await second.GetOrCreateClusterAuthorityAsync(() => Make("b"), ct);
        Assert.Equal(1, made);
        Assert.Equal(a, b);
        Assert.Equal("key a", b.KeyPem);

        var ex = await Assert.ThrowsAsync<StoreException>(() => otherKey.GetOrCreateClusterAuthorityAsync(() => Make("c"), ct));
        Assert.Equal(StoreErrorKind.CannotUnseal, ex.Kind);
    }

    [Fact]
    public async Task Heartbeat_OnSqlite_IsRefused()
    {
        string dir = Directory.CreateTempSubdirectory("burrow-sqlite-").FullName;
        await using IControlStore store = await ControlStore.OpenAsync(new StoreOptions { DataDirectory = dir }, TestContext.Current.CancellationToken);
        var ex = await Assert.ThrowsAsync<StoreException>(() => store.HeartbeatNodeAsync(Beat("edge-1", "x", TimeSpan.FromSeconds(10)), TestContext.Current.CancellationToken));
        Assert.Equal(StoreErrorKind.Invalid, ex.Kind);
    }
}

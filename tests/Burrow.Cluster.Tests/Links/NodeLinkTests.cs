using System.Security.Cryptography;
using Burrow.Cluster.Tests.Harness;
using Burrow.Edge.Cluster;
using Burrow.Protocol.Errors;
using Burrow.Storage;
using Burrow.Storage.Tests.Harness;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Cluster.Tests.Links;

/// <summary>
/// Two nodes in this process (the edge's own cluster code, on real sockets, TLS and PostgreSQL; no burrow process): a
/// stream one opens reaches the other's handler, both ways, and the directory follows joins and leaves.
/// </summary>
[Collection(ClusterPostgres.Name)]
public sealed class NodeLinkTests(PostgresServer postgres)
{
    private static ClusterOptions Options(string name) => new()
    {
        NodeName = name,
        NodeAddress = $"127.0.0.1:{FreePorts.Next()}",
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        Lease = TimeSpan.FromSeconds(2),
        LinkPingInterval = TimeSpan.FromMilliseconds(500),
    };

    private static async Task<(ClusterMembership Node, IControlStore Store)> JoinAsync(string database, byte[] key, string name)
    {
        IControlStore store = await ControlStore.OpenAsync(new StoreOptions { Database = database, DataDirectory = Path.GetTempPath(), SealingKey = () => key });
        ClusterMembership node = await ClusterMembership.JoinAsync(Options(name), store, 4443, () => "{}", TimeProvider.System, NullLoggerFactory.Instance, TestContext.Current.CancellationToken);
        return (node, store);
    }

    private static async Task EchoAsync(Stream stream, string from, CancellationToken cancellationToken)
    {
        byte[] greeting = System.Text.Encoding.UTF8.GetBytes($"hello {from}, ");
        await stream.WriteAsync(greeting, cancellationToken);
        await stream.CopyToAsync(stream, cancellationToken);
    }

    private static async Task<string> RoundTripAsync(NodeLinks links, string to, string text)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Stream stream = await links.OpenStreamAsync(to, ct);
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), ct);
        ((Burrow.Mux.Streams.MultiplexedStream)stream).CompleteWrites();

        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
    }

    [Fact]
    public async Task OpenStream_FromEitherNode_ReachesTheOthersHandler_WithTheOpenersName()
    {
        string database = await postgres.CreateDatabaseAsync();
        byte[] key = RandomNumberGenerator.GetBytes(32);
        var (a, storeA) = await JoinAsync(database, key, "node-a");
        var (b, storeB) = await JoinAsync(database, key, "node-b");
        await using (storeA)
        await using (storeB)
        await using (a)
        await using (b)
        {
            a.Links.OnInboundStream(EchoAsync);
            b.Links.OnInboundStream(EchoAsync);

            // a learns of b (NOTIFY, or the next reload) and dials it: names sort a < b, so a is the dialer.
            await ClusterHarness.EventuallyAsync(() => Task.FromResult(a.Registry.LiveNodes.Count), n => n == 2, TimeSpan.FromSeconds(15), n => $"a sees {n} nodes");
            Assert.Equal("hello node-a, ping", await RoundTripAsync(a.Links, "node-b", "ping"));
            Assert.Equal("hello node-b, pong", await RoundTripAsync(b.Links, "node-a", "pong"));

            // One link for the pair, used both ways, and pinged.
            Assert.True(a.Links.Links["node-b"].Dialed);
            Assert.False(b.Links.Links["node-a"].Dialed);
            await ClusterHarness.EventuallyAsync(() => Task.FromResult(a.LinkRttMilliseconds("node-b")), r => r is not null, TimeSpan.FromSeconds(15), _ => "no RTT on a's link to b");
        }
    }

    [Fact]
    public async Task OpenStream_ToANodeThatLeft_FailsWithNodeUnreachable()
    {
        string database = await postgres.CreateDatabaseAsync();
        byte[] key = RandomNumberGenerator.GetBytes(32);
        var (a, storeA) = await JoinAsync(database, key, "node-a");
        var (b, storeB) = await JoinAsync(database, key, "node-b");
        await using (storeA)
        await using (storeB)
        await using (a)
        {
            await ClusterHarness.EventuallyAsync(() => Task.FromResult(a.Registry.LiveNodes.Count), n => n == 2, TimeSpan.FromSeconds(15), n => $"a sees {n} nodes");
            await b.LeaveAsync(TestContext.Current.CancellationToken);
            await b.DisposeAsync();

            // The row is deleted on leave and announced: a's view drops b at once, and a stream to it is refused with a code.
            await ClusterHarness.EventuallyAsync(() => Task.FromResult(a.Registry.LiveNodes.Count), n => n == 1, TimeSpan.FromSeconds(10), n => $"a still sees {n} nodes");
            var ex = await Assert.ThrowsAsync<ProtocolException>(async () => await a.Links.OpenStreamAsync("node-b", TestContext.Current.CancellationToken));
            Assert.Equal(ErrorCodes.NodeUnreachable, ex.ErrorCode);
        }
    }
}

using System.Buffers;
using System.Net;
using Burrow.Edge.Hosting;
using Microsoft.AspNetCore.Connections;

namespace Burrow.Edge.Tests;

public sealed class EdgeServerTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("burrow-edge-server-").FullName;

    [Fact]
    public async Task Create_normalizes_its_own_copy_of_the_options_and_leaves_the_callers_alone()
    {
        EdgeOptions options = LoopbackOptions(" Tunnel.Test. ");

        // A fixed authtoken (the agent's in-process edge) turns the control store off on the edge's copy only.
        await using (EdgeServer edge = EdgeServer.Create(options, fixedAuthtoken: "brw_edge_server_tests"))
        {
            await edge.StartAsync(TestContext.Current.CancellationToken);
            Assert.Equal("tunnel.test", edge.Domain);
            Assert.Null(edge.Store);
        }

        Assert.Equal(" Tunnel.Test. ", options.Domain);
        Assert.True(options.UseControlStore);
    }

    [Fact]
    public async Task Kestrels_connections_read_into_64_KiB_blocks_not_its_own_4_KiB_ones()
    {
        await using EdgeServer edge = EdgeServer.Create(LoopbackOptions("tunnel.test"), fixedAuthtoken: "brw_edge_server_tests");
        await edge.StartAsync(TestContext.Current.CancellationToken);

        // What Kestrel's socket transport is given: the last registration wins over Kestrel's own default.
        IMemoryPoolFactory<byte> factory = edge.Service<IMemoryPoolFactory<byte>>();
        Assert.IsType<ConnectionMemoryPoolFactory>(factory);
        MemoryPool<byte> pool = factory.Create();
        using IMemoryOwner<byte> block = pool.Rent(4096);
        Assert.Equal(64 * 1024, block.Memory.Length);
    }

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    /// <summary>An edge on free loopback ports with plain HTTP only, its data in this test's directory.</summary>
    private EdgeOptions LoopbackOptions(string domain) => new()
    {
        Domain = domain,
        AgentEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
        HttpsEndPoint = null,
        HttpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
        AdminEndPoint = null,
        DataDirectory = _dataDirectory,
        DrainTimeout = TimeSpan.FromSeconds(1),
    };
}

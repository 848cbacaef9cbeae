using System.Net;
using Burrow.Edge;
using Burrow.Edge.Cluster;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Cluster;

/// <summary>
/// Two or three in-process edges on fixed loopback ports, sharing one data directory (so one local CA, which the agent
/// trusts with one --edge-ca) and a <see cref="StaticNodeDirectory"/> that lists them all: what an agent sees of a
/// cluster, without the routes between nodes. An edge can be stopped and started again on the same ports.
/// </summary>
internal sealed class LegCluster : IAsyncDisposable
{
    public const string Token = "brw_e2e_legs_token";
    public const string Domain = "tunnel.test";

    private readonly TempDirectory _data = new();
    private readonly (int Agent, int Http)[] _ports;
    private readonly ClusterNode[] _nodes;
    private readonly EdgeServer?[] _edges;

    private LegCluster(int count)
    {
        _ports = [.. Enumerable.Range(0, count).Select(_ => (FreePort.Loopback(), FreePort.Loopback()))];
        _nodes = [.. _ports.Select((p, i) => new ClusterNode(NodeName(i), $"127.0.0.1:{p.Agent + 1}", $"127.0.0.1:{p.Agent}", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, false))];
        _edges = new EdgeServer?[count];
    }

    public string CaPath => Path.Combine(_data.Path, "ca.pem");

    public static string NodeName(int index) => $"edge-{(char)('a' + index)}";

    public string AgentAddress(int index) => $"127.0.0.1:{_ports[index].Agent}";

    public int HttpPort(int index) => _ports[index].Http;

    /// <summary>The flags of an agent whose first leg dials node <paramref name="index"/>.</summary>
    public IEnumerable<string> AgentArgs(int index = 0) =>
        ["--server", AgentAddress(index), "--server-name", Domain, "--authtoken", Token, "--edge-ca", CaPath];

    public static async Task<LegCluster> StartAsync(int count)
    {
        var cluster = new LegCluster(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                await cluster.StartEdgeAsync(i);
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    public async Task StartEdgeAsync(int index)
    {
        var options = new EdgeOptions
        {
            Domain = Domain,
            AgentEndPoint = new IPEndPoint(IPAddress.Loopback, _ports[index].Agent),
            HttpsEndPoint = null,
            HttpEndPoint = new IPEndPoint(IPAddress.Loopback, _ports[index].Http),
            AdminEndPoint = null,
            DataDirectory = _data.Path,
            DrainTimeout = TimeSpan.FromSeconds(1),
        };
        EdgeServer edge = EdgeServer.Create(options, fixedAuthtoken: Token);
        edge.NodeDirectory = new StaticNodeDirectory(NodeName(index), _nodes);
        await edge.StartAsync(TestContext.Current.CancellationToken);
        _edges[index] = edge;
    }

    public async Task StopEdgeAsync(int index)
    {
        if (_edges[index] is { } edge)
        {
            _edges[index] = null;
            await edge.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (int i = 0; i < _edges.Length; i++)
        {
            await StopEdgeAsync(i);
        }

        _data.Dispose();
    }
}

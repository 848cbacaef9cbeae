using System.Globalization;
using System.Net;
using Burrow.Edge;
using Burrow.Edge.Cluster;
using Burrow.Storage.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Cluster;

/// <summary>
/// Several in-process edges as nodes of one cluster on one real PostgreSQL database, each with the test node directory
/// and loopback node links (harness stand-ins for issue 15 item 1), and each reaching the database through a
/// <see cref="CuttableTcpRelay"/> so a test can cut one node off. Agents are real <c>burrow</c> processes.
/// </summary>
internal sealed class ClusterNodes : IAsyncDisposable
{
    private readonly List<Node> _nodes = [];

    private ClusterNodes()
    {
    }

    public IReadOnlyList<Node> Nodes => _nodes;

    public Node this[int index] => _nodes[index];

    /// <summary>The authtoken the first node's bootstrap created in the shared store.</summary>
    public string Token { get; private set; } = "";

    /// <summary>The database's connection string, straight to PostgreSQL (not through a node's relay).</summary>
    public string ConnectionString { get; private set; } = "";

    public static async Task<ClusterNodes> StartAsync(PostgresServer postgres, int count, TimeSpan? revocationCheck = null)
    {
        var cluster = new ClusterNodes();
        string database = await postgres.CreateDatabaseAsync();
        cluster.ConnectionString = database;
        string name = new Npgsql.NpgsqlConnectionStringBuilder(database).Database!;
        try
        {
            for (int i = 0; i < count; i++)
            {
                string nodeName = string.Create(CultureInfo.InvariantCulture, $"node-{(char)('a' + i)}");
                var relay = new CuttableTcpRelay(postgres.Port);
                var links = new LoopbackNodeLinks(nodeName, cluster.LinkAddressOf);
                var directory = new TestNodeDirectory(nodeName, () => [.. cluster._nodes.Select(n => n.Info)]);
                string dataDir = Directory.CreateTempSubdirectory("burrow-cluster-").FullName;
                var options = new EdgeOptions
                {
                    Domain = "localhost",
                    AgentEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                    HttpsEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                    HttpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                    HealthEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                    AdminEndPoint = null,
                    DataDirectory = dataDir,
                    Database = string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={relay.Port};Username={PostgresServer.User};Database={name};Timeout=5;Command Timeout=10"),
                    DrainTimeout = TimeSpan.FromSeconds(1),
                    // A gone agent's tunnels are kept this long for its resume; short, so a test sees its route go.
                    ResumeGrace = TimeSpan.FromSeconds(2),
                    // Every node listens on the ports of the cluster's TCP tunnels: one loopback address each here.
                    TcpAddress = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"127.0.0.{i + 1}")),
                    RevocationCheckInterval = revocationCheck ?? TimeSpan.FromSeconds(1),
                };
                var edge = EdgeServer.Create(options, null, null, new ClusterParts(directory, links));
                var node = new Node(nodeName, edge, links, directory, relay, dataDir);
                cluster._nodes.Add(node);
                await edge.StartAsync(TestContext.Current.CancellationToken);
                if (i == 0)
                {
                    cluster.Token = edge.GeneratedAuthtoken ?? throw new InvalidOperationException("The first node created no authtoken.");
                }
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    private IPEndPoint? LinkAddressOf(string node) => _nodes.FirstOrDefault(n => n.Name == node)?.Links.EndPoint;

    /// <summary>Arguments that point a <c>burrow</c> agent at <paramref name="node"/>.</summary>
    public IEnumerable<string> AgentArgs(Node node) =>
        ["--server", node.Edge.Endpoints.Agents!.ToString(), "--server-name", "localhost", "--authtoken", Token, "--edge-ca", node.Edge.LocalCaPath!];

    /// <summary>Waits until every node knows a route for <paramref name="key"/> (or none, with <paramref name="present"/> false).</summary>
    public async Task WaitForRouteAsync(string key, bool present = true, TimeSpan? timeout = null)
    {
        DateTime until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (_nodes.Any(n => (n.Routes.Find(key).Count > 0) != present))
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Not every node saw the route of {key} {(present ? "appear" : "go")}.");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (Node node in Enumerable.Reverse(_nodes))
        {
            await node.DisposeAsync();
        }
    }

    /// <summary>One node: its edge, links, directory, and the relay between it and the database.</summary>
    internal sealed record Node(string Name, EdgeServer Edge, LoopbackNodeLinks Links, TestNodeDirectory Directory, CuttableTcpRelay DatabaseRelay, string DataDir) : IAsyncDisposable
    {
        private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;

        public ClusterNode Info => new(Name, Links.EndPoint.ToString(), Edge.Endpoints.Agents?.ToString() ?? "", _started, DateTimeOffset.UtcNow, false);

        public ClusterRoutes Routes => Edge.Service<ClusterRoutes>();

        public int HttpPort => Edge.Endpoints.Http!.Port;

        /// <summary>A plain HTTP request to this node's public port for <paramref name="host"/>.</summary>
        public async Task<HttpResponseMessage> GetAsync(string host, string path)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}{path}"));
            request.Headers.Host = host;
            return await client.SendAsync(request, TestContext.Current.CancellationToken);
        }

        public async Task<string> HealthAsync()
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            return await client.GetStringAsync(new Uri($"http://{Edge.Endpoints.Health}/healthz"), TestContext.Current.CancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            await Edge.DisposeAsync();
            await Links.DisposeAsync();
            await DatabaseRelay.DisposeAsync();
            try
            {
                System.IO.Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

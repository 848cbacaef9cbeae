using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Harness;

/// <summary>
/// A cluster on loopback: one database on the shared PostgreSQL, N real <c>burrow server</c> processes with node names
/// on free ports, every one with the same <c>store.key</c> (as docs/cluster.md asks). Nodes can be started, stopped
/// (SIGTERM) and killed (SIGKILL) one by one; disposing kills what is left and deletes the data directories.
/// </summary>
public sealed class ClusterHarness : IAsyncDisposable
{
    private readonly PostgresServer _postgres;
    private readonly byte[] _storeKey = RandomNumberGenerator.GetBytes(32);
    private readonly Dictionary<string, ClusterNodeRun> _nodes = new(StringComparer.Ordinal);
    private readonly string _root = Directory.CreateTempSubdirectory("burrow-cluster-").FullName;
    private readonly Dictionary<string, IPAddress> _addresses = new(StringComparer.Ordinal);
    private readonly int _tcpPort = FreePorts.Next();
    private readonly Dictionary<string, string> _databases = new(StringComparer.Ordinal);
    private string? _caDir;

    /// <summary>The authtoken every node takes (--authtoken), what the agents in these tests use.</summary>
    public const string Token = "brw_cluster_e2e_token";

    private ClusterHarness(PostgresServer postgres, string database)
    {
        _postgres = postgres;
        DatabaseUrl = database;
    }

    /// <summary>The cluster's database (postgres://...), what every node is given with --database.</summary>
    public string DatabaseUrl { get; }

    /// <summary>
    /// Gives <paramref name="node"/> another --database than <see cref="DatabaseUrl"/> from its next start on: the same
    /// database reached another way (through a relay a test can cut).
    /// </summary>
    public void UseDatabase(string node, string databaseUrl)
    {
        lock (_databases)
        {
            _databases[node] = databaseUrl;
        }
    }

    /// <summary>The nodes started, by name (killed and stopped ones too, until started again).</summary>
    public IReadOnlyDictionary<string, ClusterNodeRun> Nodes => _nodes;

    /// <summary>The admin API key the first node created (the store was empty); every node's admin API takes it.</summary>
    public string? ApiKey { get; private set; }

    /// <summary>The 32-byte store key every node shares.</summary>
    public ReadOnlyMemory<byte> StoreKey => _storeKey;

    /// <summary>A new cluster on its own database, with <paramref name="names"/> started (the first alone, so it bootstraps the store; the rest together).</summary>
    public static async Task<ClusterHarness> StartAsync(PostgresServer postgres, params string[] names)
    {
        string connection = await postgres.CreateDatabaseAsync();
        string database = new Npgsql.NpgsqlConnectionStringBuilder(connection).Database!;
        var harness = new ClusterHarness(postgres, postgres.Url(database));
        try
        {
            if (names.Length > 0)
            {
                await harness.StartNodeAsync(names[0]);
                await Task.WhenAll(names.Skip(1).Select(n => harness.StartNodeAsync(n)));
            }
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }

        return harness;
    }

    /// <summary>Starts a node (again) and waits for its "Ready" line; throws with its output if it exits instead.</summary>
    public async Task<ClusterNodeRun> StartNodeAsync(string name, params string[] extraArguments)
    {
        BurrowProcess process = StartProcess(name, extraArguments, out string dataDir, out int linkPort);
        var run = new ClusterNodeRun(name, process, dataDir, linkPort) { Address = AddressOf(name), TcpPort = _tcpPort };
        lock (_nodes)
        {
            _nodes[name] = run;
        }

        await process.WaitForLineAsync("^Ready", TimeSpan.FromSeconds(90));
        run.AdminUrl = (await process.WaitForLineAsync(@"Admin\s+listening on (http://\S+)")).Groups[1].Value;
        run.HealthAddress = (await process.WaitForLineAsync(@"Health\s+listening on (\S+),")).Groups[1].Value;
        run.AgentAddress = (await process.WaitForLineAsync(@"Agents\s+listening on (\S+)")).Groups[1].Value;
        run.HttpsPort = PortOf((await process.WaitForLineAsync(@"HTTPS\s+listening on (\S+),")).Groups[1].Value);
        run.HttpPort = PortOf((await process.WaitForLineAsync(@"HTTP\s+listening on (\S+),")).Groups[1].Value);
        // The first node that made a local CA (a node given --tls-cert makes none).
        if (_caDir is null && File.Exists(Path.Combine(dataDir, "ca.pem")))
        {
            _caDir = dataDir;
        }
        if (File.Exists(Path.Combine(dataDir, "admin-api-key")))
        {
            ApiKey ??= (await File.ReadAllTextAsync(Path.Combine(dataDir, "admin-api-key"))).Trim();
        }

        return run;
    }

    /// <summary>Starts a node that is expected to refuse to start; returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> StartFailingNodeAsync(string name, params string[] extraArguments)
    {
        await using BurrowProcess process = StartProcess(name, extraArguments, out _, out _);
        int exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(90));
        await Task.Delay(100);
        return (exit, process.Output);
    }

    /// <summary>The command line of a node: loopback everywhere, free ports, this cluster's database.</summary>
    public BurrowProcess StartProcess(string name, IEnumerable<string> extraArguments, out string dataDir, out int linkPort)
    {
        dataDir = Path.Combine(_root, name + "-" + Guid.NewGuid().ToString("n")[..6]);
        Directory.CreateDirectory(dataDir);
        File.WriteAllBytes(Path.Combine(dataDir, "store.key"), _storeKey);
        // One certificate for the public and agent listeners of every node, as an operator gives every node the same
        // --tls-cert: the first node's local CA, copied, so an agent's --edge-ca trusts whichever node a leg lands on.
        if (_caDir is not null)
        {
            foreach (string file in new[] { "ca.pem", "ca.key" })
            {
                File.Copy(Path.Combine(_caDir, file), Path.Combine(dataDir, file), overwrite: true);
            }
        }

        linkPort = FreePorts.Next();
        // Each node on its own loopback address: a TCP tunnel's port is opened on every node (docs/cluster.md).
        string ip = AddressOf(name).ToString();
        int tcp = _tcpPort;
        string database;
        lock (_databases)
        {
            database = _databases.GetValueOrDefault(name, DatabaseUrl);
        }

        string[] arguments =
        [
            "server", "--data-dir", dataDir, "--database", database,
            "--node-name", name, "--node-addr", string.Create(CultureInfo.InvariantCulture, $"{ip}:{linkPort}"),
            "--agent-addr", ip + ":0", "--https-addr", ip + ":0", "--http-addr", ip + ":0",
            "--admin-addr", "127.0.0.1:0", "--health-addr", "127.0.0.1:0", "--authtoken", Token,
            "--tcp-ports", string.Create(CultureInfo.InvariantCulture, $"{tcp}-{tcp + 2}"), "--log-level", "debug",
            .. extraArguments,
        ];
        return BurrowProcess.Start(arguments);
    }

    /// <summary>The loopback address a node's public and agent listeners take: 127.0.0.1 for the first name seen, then .2, .3...</summary>
    public IPAddress AddressOf(string name)
    {
        lock (_addresses)
        {
            if (!_addresses.TryGetValue(name, out IPAddress? address))
            {
                address = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"127.0.0.{_addresses.Count + 1}"));
                _addresses[name] = address;
            }

            return address;
        }
    }

    /// <summary>The CA (PEM) every node's public and agent certificates chain to: the first node's local CA.</summary>
    public string CaPath => Path.Combine(_caDir ?? throw new InvalidOperationException("no node has started"), "ca.pem");

    /// <summary>Arguments that point an agent at <paramref name="node"/> (the token every node takes, the shared CA).</summary>
    public IEnumerable<string> AgentArgs(string node) =>
        ["--server", _nodes[node].AgentAddress!, "--server-name", "localhost", "--authtoken", Token, "--edge-ca", Path.Combine(_caDir!, "ca.pem")];

    private static int PortOf(string endPoint) => int.Parse(endPoint[(endPoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);

    /// <summary>SIGKILL: the node stops writing its heartbeat and leaves its row behind, as a crash would.</summary>
    public void Kill(string name) => _nodes[name].Process.Kill();

    /// <summary>SIGTERM, and waits for the process to end.</summary>
    public async Task StopAsync(string name)
    {
        _nodes[name].Process.Terminate();
        await _nodes[name].Process.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Runs <c>burrow admin ARGS</c> against <paramref name="node"/>'s admin API.</summary>
    public async Task<(int ExitCode, string Output)> AdminAsync(string node, params string[] args) =>
        await BurrowProcess.RunToEndAsync(["admin", .. args, "--admin-url", _nodes[node].AdminUrl!, "--api-key", ApiKey!],
            new Dictionary<string, string> { ["BURROW_API_KEY"] = "", ["BURROW_ADMIN_URL"] = "" }, TimeSpan.FromSeconds(90));

    /// <summary>GET <c>/api/v1/PATH</c> on <paramref name="node"/>'s admin API.</summary>
    public async Task<JsonElement> ApiAsync(string node, string path)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        string body = await client.GetStringAsync(new Uri(new Uri(_nodes[node].AdminUrl!), "/api/v1/" + path));
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>GET <c>/healthz</c> on <paramref name="node"/>.</summary>
    public async Task<JsonElement> HealthAsync(string node)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        string body = await client.GetStringAsync(new Uri($"http://{_nodes[node].HealthAddress}/healthz"));
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (returns its last value) or <paramref name="timeout"/> passes (throws, with <paramref name="describe"/>).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan timeout, Func<T, string> describe)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            T value = await read();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {timeout.TotalSeconds} s: {describe(value)}");
            }

            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ClusterNodeRun node in _nodes.Values)
        {
            await node.Process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Burrow.Cluster.Tests.Harness;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Pooling;

/// <summary>
/// Endpoint pooling across nodes for TCP and TLS passthrough: three pooled agents on one address, one bound via each
/// node; connections through ONE node, which has a member of its own, reach all three evenly (the other nodes' members
/// carried over the node link with the client's address and half-close), and a killed member is left out.
/// </summary>
[Collection(ClusterPostgres.Name)]
public sealed class TcpTlsPoolingAcrossNodesTests(PostgresServer postgres)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly string[] NodeNames = ["edge-a", "edge-b", "edge-c"];

    // The clients connect from an address no node listens on, so the upstream's PROXY line shows whose address it got.
    private static readonly IPAddress ClientAddress = IPAddress.Parse("127.0.0.5");

    // Members take turns, so the spread is even at any count; 600 also keeps a random draw (as before) within 20 % of even.
    private const int Connections = 600;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> AgentEnvironment(TempDirectory state) =>
        new() { ["BURROW_STATE_DIR"] = state.Path, ["XDG_DATA_HOME"] = Path.Combine(state.Path, "data") };

    [Fact(Timeout = 420_000)]
    public async Task Tcp_connections_through_one_node_are_spread_over_pooled_agents_on_every_node_and_a_killed_one_is_left_out()
    {
        // A short resume grace: a killed agent's session is held for a resume that never comes, then its route goes.
        await using ClusterHarness cluster = await StartClusterAsync("--resume-grace", "1s");
        ClusterNodeRun entry = cluster.Nodes["edge-a"];
        int port = entry.TcpPort;
        var upstreams = new List<NamedUpstream>();
        var agents = new List<BurrowProcess>();
        var states = new List<TempDirectory>();
        try
        {
            foreach (string node in NodeNames)
            {
                NamedUpstream upstream = NamedUpstream.Start("member-via-" + node);
                upstreams.Add(upstream);
                var state = new TempDirectory();
                states.Add(state);
                BurrowProcess agent = BurrowProcess.Start(
                    ["tcp", upstream.Port.ToString(CultureInfo.InvariantCulture), "--url", string.Create(CultureInfo.InvariantCulture, $"tcp://localhost:{port}"),
                        "--pooling-enabled", "--legs", "1", "--upstream-proxy-protocol", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs(node)],
                    AgentEnvironment(state));
                agents.Add(agent);
                Match bound = await agent.WaitForLineAsync(@"^Forwarding tcp://[^\s:]+:(\d+) -> ", Wait);
                Assert.Equal(port, int.Parse(bound.Groups[1].Value, CultureInfo.InvariantCulture));
            }

            Func<Task<string>> connect = () => TcpAnswerAsync(entry.Address, port);
            await UntilEveryMemberAnswersAsync(connect, upstreams.Select(u => u.Name));

            Dictionary<string, int> spread = await LoadAsync(connect, Connections);
            Report("TCP through edge-a", spread);
            AssertEven(spread, upstreams.Select(u => u.Name), Connections);

            // The member via edge-b is killed: once its node has let its session go, every connection is answered, by the others.
            agents[1].Kill();
            var detection = System.Diagnostics.Stopwatch.StartNew();
            string[] left = [upstreams[0].Name, upstreams[2].Name];
            await UntilAsync(async () => (await LoadAsync(connect, 20, parallel: 1)).Keys.All(left.Contains), TimeSpan.FromSeconds(30));
            TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"kill of the member via edge-b -> 20 connections in a row answered by the others: {detection.Elapsed.TotalSeconds:0.0} s"));
            Dictionary<string, int> after = await LoadAsync(connect, 150);
            Report("TCP through edge-a after the kill", after);
            Assert.Equal(left.Order(), after.Keys.Order());

            // edge-b has no member left: its port goes back to carrying every connection to the members on the other nodes.
            Func<Task<string>> throughB = () => TcpAnswerAsync(cluster.Nodes["edge-b"].Address, port);
            await UntilAsync(async () => (await LoadAsync(throughB, 20, parallel: 1)).Keys.All(left.Contains), TimeSpan.FromSeconds(30));
            Dictionary<string, int> viaB = await LoadAsync(throughB, 60);
            Report("TCP through edge-b after the kill", viaB);
            Assert.Equal(60, viaB.Values.Sum());
            Assert.All(viaB.Keys, k => Assert.Contains(k, left));
        }
        finally
        {
            foreach (BurrowProcess agent in agents)
            {
                await agent.DisposeAsync();
            }

            foreach (NamedUpstream upstream in upstreams)
            {
                await upstream.DisposeAsync();
            }

            states.ForEach(s => s.Dispose());
        }
    }

    [Fact(Timeout = 420_000)]
    public async Task Tls_passthrough_connections_through_one_node_are_spread_over_pooled_agents_on_every_node()
    {
        await using ClusterHarness cluster = await StartClusterAsync();
        ClusterNodeRun entry = cluster.Nodes["edge-a"];
        var upstreams = new List<NamedUpstream>();
        var agents = new List<BurrowProcess>();
        var states = new List<TempDirectory>();
        try
        {
            foreach (string node in NodeNames)
            {
                NamedUpstream upstream = NamedUpstream.Start("member-via-" + node, tls: true);
                upstreams.Add(upstream);
                var state = new TempDirectory();
                states.Add(state);
                BurrowProcess agent = BurrowProcess.Start(
                    ["tls", upstream.Port.ToString(CultureInfo.InvariantCulture), "--url", "tlspool.localhost", "--pooling-enabled", "--legs", "1",
                        "--upstream-proxy-protocol", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs(node)],
                    AgentEnvironment(state));
                agents.Add(agent);
                await agent.WaitForLineAsync(@"^Forwarding (tls://\S+) -> ", Wait);
            }

            Func<Task<string>> connect = () => TlsAnswerAsync(entry.Address, entry.HttpsPort, "tlspool.localhost");
            await UntilEveryMemberAnswersAsync(connect, upstreams.Select(u => u.Name));

            Dictionary<string, int> spread = await LoadAsync(connect, Connections);
            Report("TLS through edge-a", spread);
            AssertEven(spread, upstreams.Select(u => u.Name), Connections);
        }
        finally
        {
            foreach (BurrowProcess agent in agents)
            {
                await agent.DisposeAsync();
            }

            foreach (NamedUpstream upstream in upstreams)
            {
                await upstream.DisposeAsync();
            }

            states.ForEach(s => s.Dispose());
        }
    }

    /// <summary>Three nodes (the first alone, so it bootstraps the store) with <paramref name="extra"/> on each.</summary>
    private async Task<ClusterHarness> StartClusterAsync(params string[] extra)
    {
        ClusterHarness cluster = await ClusterHarness.StartAsync(postgres);
        try
        {
            await cluster.StartNodeAsync(NodeNames[0], extra);
            await Task.WhenAll(NodeNames.Skip(1).Select(n => cluster.StartNodeAsync(n, extra)));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One TCP connection from <see cref="ClientAddress"/>: 1,000 bytes, then the client's half-close, then the whole answer.
    /// Returns the member's name after checking the upstream saw the client's address and every byte.
    /// </summary>
    private static async Task<string> TcpAnswerAsync(IPAddress node, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(ClientAddress, 0));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(node, port, timeout.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(new byte[1000], timeout.Token);
        socket.Shutdown(SocketShutdown.Send);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return NameIn(await reader.ReadToEndAsync(timeout.Token), 1000);
    }

    /// <summary>One TLS connection through the edge's HTTPS port: the upstream's own certificate, a line, the answer.</summary>
    private static async Task<string> TlsAnswerAsync(IPAddress node, int port, string serverName)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(ClientAddress, 0));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(node, port, timeout.Token);
        await using var network = new NetworkStream(socket, ownsSocket: false);
        await using var tls = new SslStream(network);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            // Passthrough: the client talks TLS with the upstream itself, whichever node carried it.
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()).Thumbprint == Upstream.TlsCertificate.Thumbprint,
        }, timeout.Token);
        string line = new('x', 100);
        await tls.WriteAsync(Encoding.ASCII.GetBytes(line + "\n"), timeout.Token);
        using var reader = new StreamReader(tls, Encoding.ASCII);
        return NameIn(await reader.ReadToEndAsync(timeout.Token), line.Length);
    }

    private static string NameIn(string answer, long sent)
    {
        string[] parts = answer.Split(' ');
        if (parts.Length != 3)
        {
            throw new IOException($"no answer ('{answer}')");
        }

        Assert.Equal(ClientAddress.ToString(), parts[1]);
        Assert.Equal(sent, long.Parse(parts[2], CultureInfo.InvariantCulture));
        return parts[0];
    }

    /// <summary>Connects until each member has answered once: every node knows every route before counting starts.</summary>
    private static async Task UntilEveryMemberAnswersAsync(Func<Task<string>> connect, IEnumerable<string> names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var wanted = names.ToHashSet(StringComparer.Ordinal);
        DateTime deadline = DateTime.UtcNow + Wait;
        while (!wanted.IsSubsetOf(seen))
        {
            try
            {
                seen.Add(await connect());
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException
                && !Token.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, Token);
            }

            Assert.True(DateTime.UtcNow < deadline, $"not every member answered within {Wait.TotalSeconds} s: seen {string.Join(", ", seen)}");
        }
    }

    /// <summary><paramref name="count"/> connections (<paramref name="parallel"/> at a time), each one answered, counted by member.</summary>
    private static async Task<Dictionary<string, int>> LoadAsync(Func<Task<string>> connect, int count, int parallel = 4)
    {
        var served = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = Token },
            async (_, _) => served.AddOrUpdate(await connect(), 1, static (_, n) => n + 1));
        return new Dictionary<string, int>(served, StringComparer.Ordinal);
    }

    private static void AssertEven(Dictionary<string, int> spread, IEnumerable<string> names, int total)
    {
        string[] members = [.. names];
        Assert.Equal(members.Order(), spread.Keys.Order());
        Assert.Equal(total, spread.Values.Sum());
        double even = total / (double)members.Length;
        Assert.All(spread.Values, n => Assert.True(Math.Abs(n - even) <= even * 0.2, $"spread {Describe(spread)}: not within 20 % of {even:0}"));
    }

    private static void Report(string what, Dictionary<string, int> spread) =>
        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: {spread.Values.Sum()} connections: {Describe(spread)}");

    private static string Describe(Dictionary<string, int> spread) =>
        string.Join(", ", spread.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"));

    /// <summary>Retries <paramref name="condition"/> (a failed connection or assertion counts as false) until it holds, for at most <paramref name="limit"/>.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        DateTime deadline = DateTime.UtcNow + limit;
        while (true)
        {
            Exception? last = null;
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is Xunit.Sdk.XunitException or IOException or SocketException or OperationCanceledException && !Token.IsCancellationRequested)
            {
                last = ex;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not true within {limit}.", last);
            }

            await Task.Delay(200, Token);
        }
    }
}

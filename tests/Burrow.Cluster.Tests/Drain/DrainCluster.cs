using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Burrow.Cluster.Tests.Harness;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Drain;

/// <summary>
/// Two or more real nodes serving one domain with one certificate (from a test CA agents are told to trust) and one
/// authtoken, a loopback upstream, and real <c>burrow http</c> agents: what the drain tests need around a <see cref="ClusterHarness"/>.
/// </summary>
internal sealed class DrainCluster : IAsyncDisposable
{
    public const string Domain = "drain.test";
    public const string Token = "drain-test-token";

    private readonly string _dir = Directory.CreateTempSubdirectory("burrow-drain-").FullName;
    private readonly List<BurrowProcess> _agents = [];
    private readonly TcpListener _upstream = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();

    private DrainCluster(ClusterHarness cluster)
    {
        Cluster = cluster;
    }

    public ClusterHarness Cluster { get; }

    public string CaPath => Path.Combine(_dir, "ca.pem");

    public int UpstreamPort => ((IPEndPoint)_upstream.LocalEndpoint).Port;

    public static async Task<DrainCluster> StartAsync(PostgresServer postgres, params string[] names)
    {
        var drain = new DrainCluster(await ClusterHarness.StartAsync(postgres));
        drain.WriteCertificates();
        drain._upstream.Start();
        _ = drain.ServeUpstreamAsync();
        foreach (string name in names)
        {
            await drain.Cluster.StartNodeAsync(name,
                "--domain", Domain, "--tls-cert", Path.Combine(drain._dir, "edge.pem"), "--tls-key", Path.Combine(drain._dir, "edge.key"),
                "--authtoken", Token, "--drain-timeout", "30s");
        }

        return drain;
    }

    public async Task<string> AgentAddressAsync(string node) =>
        (await Cluster.Nodes[node].Process.WaitForLineAsync(@"Agents\s+listening on (\S+) ")).Groups[1].Value;

    /// <summary>A node's public HTTP listener as ip:port (each node listens on its own loopback address).</summary>
    public async Task<string> HttpAddressAsync(string node) =>
        (await Cluster.Nodes[node].Process.WaitForLineAsync(@"HTTP\s+listening on (\S+),")).Groups[1].Value;

    /// <summary>Starts <c>burrow http</c> to <paramref name="node"/>; its web interface on a free port.</summary>
    public async Task<BurrowProcess> StartAgentAsync(string node, params string[] extra)
    {
        string state = Directory.CreateTempSubdirectory("burrow-drain-agent-").FullName;
        BurrowProcess agent = BurrowProcess.Start(
            ["http", UpstreamPort.ToString(CultureInfo.InvariantCulture), "--server", await AgentAddressAsync(node), "--server-name", Domain,
             "--authtoken", Token, "--edge-ca", CaPath, "--web-addr", "127.0.0.1:0", .. extra],
            new Dictionary<string, string> { ["BURROW_STATE_DIR"] = state, ["XDG_DATA_HOME"] = Path.Combine(state, "data") });
        _agents.Add(agent);
        return agent;
    }

    public static async Task<string> HostOfAsync(BurrowProcess agent) =>
        new Uri((await agent.WaitForLineAsync(@"^Forwarding (http://\S+) -> ", TimeSpan.FromSeconds(60))).Groups[1].Value).Host;

    /// <summary>The agent's <c>session.legs</c> from its <c>/api/status</c>.</summary>
    public static async Task<JsonArray> LegsAsync(BurrowProcess agent)
    {
        Uri web = new((await agent.WaitForLineAsync(@"^Web Interface (http://\S+)", TimeSpan.FromSeconds(60))).Groups[1].Value);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string json = await client.GetStringAsync(new Uri(web, "/api/status"));
        return JsonNode.Parse(json)!["session"]!["legs"]!.AsArray();
    }

    /// <summary>GET /hello for <paramref name="host"/> through a node's public HTTP port: the status and body.</summary>
    public static async Task<(int Status, string Body)> GetAsync(HttpClient client, string address, string host, string path = "/hello")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{address}{path}");
        request.Headers.Host = host;
        using HttpResponseMessage response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    // The upstream: answers every request with "hello from upstream"; /slow after 3 s.
    private async Task ServeUpstreamAsync()
    {
        try
        {
            while (true)
            {
                TcpClient client = await _upstream.AcceptTcpClientAsync(_stop.Token);
                _ = AnswerAsync(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.ASCII);
                while (await reader.ReadLineAsync(_stop.Token) is { } first)
                {
                    string? line;
                    while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync(_stop.Token)))
                    {
                    }

                    if (first.Contains("/slow", StringComparison.Ordinal))
                    {
                        await Task.Delay(TimeSpan.FromSeconds(3), _stop.Token);
                    }

                    byte[] answer = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 19\r\nContent-Type: text/plain\r\n\r\nhello from upstream");
                    await stream.WriteAsync(answer, _stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
            }
        }
    }

    private void WriteCertificates()
    {
        using RSA caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Burrow drain test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using X509Certificate2 ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={Domain}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(Domain);
        names.AddDnsName("*." + Domain);
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using X509Certificate2 leaf = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), RandomNumberGenerator.GetBytes(8));
        File.WriteAllText(CaPath, ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, "edge.pem"), leaf.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, "edge.key"), key.ExportPkcs8PrivateKeyPem());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _upstream.Stop();
        foreach (BurrowProcess agent in _agents)
        {
            await agent.DisposeAsync();
        }

        await Cluster.DisposeAsync();
        _stop.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

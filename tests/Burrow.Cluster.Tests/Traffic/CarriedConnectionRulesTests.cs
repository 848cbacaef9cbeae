using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Cluster.Tests.Harness;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Traffic;

/// <summary>
/// Connections another node carries to the tunnel's node get what that node's own clients get: the edge's TLS for a
/// tls tunnel that terminates at the edge, and the tunnel's <c>on_tcp_connect</c> rules with the client's address.
/// </summary>
[Collection(ClusterPostgres.Name)]
public sealed class CarriedConnectionRulesTests(PostgresServer postgres)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task A_tls_tunnel_ended_at_the_edge_on_a_is_served_through_b_with_the_edge_s_certificate_and_half_close()
    {
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres, "edge-a", "edge-b");
        await using TcpUpstream hashing = TcpUpstream.Start(TcpUpstream.Mode.HashAfterEof);
        using var state = new TempDirectory();
        await using BurrowProcess agent = BurrowProcess.Start(
            ["tls", hashing.Port.ToString(CultureInfo.InvariantCulture), "--url", "ended.localhost", "--terminate-at", "edge", "--legs", "1",
             "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-a")],
            new Dictionary<string, string> { ["BURROW_STATE_DIR"] = state.Path });
        await agent.WaitForLineAsync(@"^Forwarding (tls://\S+) -> ", Wait);

        using X509Certificate2 ca = X509CertificateLoader.LoadCertificateFromFile(cluster.CaPath);
        byte[] payload = RandomNumberGenerator.GetBytes(300_000);
        string answer = await ServedThroughEveryNodeTests.EventuallyAsync(
            () => HashOverTlsAsync(cluster.Nodes["edge-b"], "ended.localhost", ca, payload), "tls ended at the edge through edge-b");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(payload)), answer);
    }

    [Fact(Timeout = 300_000)]
    public async Task The_on_tcp_connect_rules_of_a_tcp_tunnel_on_a_hold_for_the_clients_of_b()
    {
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres, "edge-a", "edge-b");
        await using TcpUpstream hashing = TcpUpstream.Start(TcpUpstream.Mode.HashAfterEof);
        using var state = new TempDirectory();
        string policy = Path.Combine(state.Path, "policy.yml");
        await File.WriteAllTextAsync(policy, """
            on_tcp_connect:
              - actions:
                  - type: restrict-ips
                    config: {deny: ["127.0.0.9/32"]}
            """, Token);
        await using TcpAgentRun tcp = await TcpAgentRun.StartAsync(
            [hashing.Port.ToString(CultureInfo.InvariantCulture), "--legs", "1", "--traffic-policy-file", policy, "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-a")],
            state.Path);
        ClusterNodeRun b = cluster.Nodes["edge-b"];

        // From 127.0.0.1 through edge-b: served (once the route has reached edge-b).
        byte[] payload = RandomNumberGenerator.GetBytes(10_000);
        string answer = await ServedThroughEveryNodeTests.EventuallyAsync(() => ServedThroughEveryNodeTests.HashThroughAsync(b.Address, tcp.Port, payload), "tcp through edge-b");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(payload)), answer);

        // From the denied address through edge-b: edge-a, where the rule runs, sees that address and closes.
        string? denied = await HashFromAsync(IPAddress.Parse("127.0.0.9"), b.Address, tcp.Port, payload);
        Assert.Null(denied);
        // And through edge-a itself, the same.
        Assert.Null(await HashFromAsync(IPAddress.Parse("127.0.0.9"), cluster.Nodes["edge-a"].Address, tcp.Port, payload));
        Assert.Equal(answer, await HashFromAsync(IPAddress.Parse("127.0.0.10"), b.Address, tcp.Port, payload));
    }

    /// <summary>The upstream's hash of <paramref name="payload"/> sent from <paramref name="from"/>, or null when the connection was closed without one.</summary>
    private static async Task<string?> HashFromAsync(IPAddress from, IPAddress address, int port, byte[] payload)
    {
        try
        {
            return await ServedThroughEveryNodeTests.HashThroughAsync(address, port, payload, from);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return null;
        }
    }

    private static async Task<string> HashOverTlsAsync(ClusterNodeRun node, string name, X509Certificate2 ca, byte[] payload)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(node.Address, node.HttpsPort, Token);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = name,
            // The edge's own certificate for the name, chained to the cluster's CA: TLS ended at the edge, not passed through.
            CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { ca }, RevocationMode = X509RevocationMode.NoCheck },
        }, Token);
        await tls.WriteAsync(payload, Token);
        // close_notify: the upstream answers only once its read side ends.
        await tls.ShutdownAsync();
        using var memory = new MemoryStream();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await tls.CopyToAsync(memory, timeout.Token);
        string answer = System.Text.Encoding.ASCII.GetString(memory.ToArray());
        return answer.Length == 64 ? answer : throw new IOException($"answer '{answer}' through {node.Name}");
    }
}

using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Cluster.Tests.Harness;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Mux.Sessions;
using Burrow.Storage;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Links;

/// <summary>
/// The node-link port of a real node takes only nodes of its cluster: a certificate from the cluster CA (read from the
/// store with the shared store key, as a node would) naming a live node gets a working mux session; no certificate,
/// another CA's certificate, or the cluster CA's naming a node that is not live are refused.
/// </summary>
[Collection(ClusterPostgres.Name)]
public sealed class NodeLinkAuthenticationTests(PostgresServer postgres)
{
    private static X509Certificate2 Issue(X509Certificate2 ca, ECDsa caKey, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2"), new Oid("1.3.6.1.5.5.7.3.1")], false));
        using X509Certificate2 issued = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));
        using X509Certificate2 withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static (X509Certificate2 Ca, ECDsa Key) ForeignCa()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Burrow cluster CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10)), key);
    }

    /// <summary>Dials the node-link port with <paramref name="certificate"/>; true when a mux ping over it is answered.</summary>
    private static async Task<bool> LinkWorksAsync(int port, X509Certificate2 clusterCa, X509Certificate2? certificate)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port, ct);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "edge-a",
                ApplicationProtocols = [new SslApplicationProtocol("burrow-node/1")],
                ClientCertificates = certificate is null ? null : [certificate],
                // The node presents its certificate from the cluster CA, as a dialing node checks.
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented is X509Certificate2 server && ChainsTo(server, clusterCa),
            }, ct);
            // TLS 1.3: the server judges the client certificate after the client's handshake is done; a refusal shows
            // on the first read (an alert, or the connection closed), so the link is proven by a mux ping.
            await using MuxSession mux = MuxSession.Client(tls, new MuxOptions { EnableKeepAlive = false });
            await mux.PingAsync(ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
            return true;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    [Fact]
    public async Task NodeLinkPort_TakesOnlyLiveNodesOfTheClusterCa()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres, "edge-a", "edge-b");
        int port = cluster.Nodes["edge-a"].LinkPort;

        // The cluster CA, as a node opens it: from the store, with the shared store key.
        byte[] key = cluster.StoreKey.ToArray();
        await using IControlStore store = await ControlStore.OpenAsync(new StoreOptions { Database = cluster.DatabaseUrl, DataDirectory = Path.GetTempPath(), SealingKey = () => key }, ct);
        ClusterAuthorityRecord record = await store.GetOrCreateClusterAuthorityAsync(() => throw new InvalidOperationException("the first node made it"), ct);
        using X509Certificate2 caWithKey = X509Certificate2.CreateFromPem(record.CertificatePem, record.KeyPem);
        using ECDsa caKey = caWithKey.GetECDsaPrivateKey()!;

        using X509Certificate2 liveNode = Issue(caWithKey, caKey, "edge-b");
        using X509Certificate2 unknownNode = Issue(caWithKey, caKey, "edge-x");
        (X509Certificate2 foreignCa, ECDsa foreignKey) = ForeignCa();
        using (foreignCa)
        using (foreignKey)
        {
            using X509Certificate2 foreign = Issue(foreignCa, foreignKey, "edge-b");

            Assert.True(await LinkWorksAsync(port, caWithKey, liveNode), "a cluster-CA certificate naming a live node is a node link");
            Assert.False(await LinkWorksAsync(port, caWithKey, null), "no client certificate");
            Assert.False(await LinkWorksAsync(port, caWithKey, foreign), "a certificate from another CA, even naming a live node");
            Assert.False(await LinkWorksAsync(port, caWithKey, unknownNode), "the cluster CA's certificate naming a node that is not live");
        }

        // The refusing node logs after it has closed the connection: wait for the line rather than read the log at once.
        BurrowProcess node = cluster.Nodes["edge-a"].Process;
        await node.WaitForLineAsync("ERR_BURROW_5307.*'edge-x' is not a live node", TimeSpan.FromSeconds(20));
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Burrow.Cluster.Tests.Harness;
using Burrow.Cluster.Tests.Traffic;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Links;

/// <summary>
/// An operator's own cluster CA (<c>--cluster-ca/--cluster-cert/--cluster-key</c>, PEM files made here as an operator
/// would with openssl or their PKI): two real nodes link with it and serve each other's tunnels; a node given another
/// node's certificate, or a certificate from another CA, refuses to start with ERR_BURROW_5304 and says why.
/// </summary>
[Collection(ClusterPostgres.Name)]
public sealed class OperatorClusterCaTests(PostgresServer postgres)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task Nodes_link_with_the_operators_ca_and_refuse_a_certificate_that_is_not_theirs()
    {
        using var files = new TempDirectory();
        using ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 ca = Ca("Example Corp cluster CA", caKey);
        string caPath = Write(files, "ca.pem", ca.ExportCertificatePem());
        string[] Flags(string certificateOf, X509Certificate2 issuer, ECDsa issuerKey)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using X509Certificate2 certificate = Issue(issuer, issuerKey, certificateOf, key);
            string stem = certificateOf + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            return ["--cluster-ca", caPath, "--cluster-cert", Write(files, stem + ".pem", certificate.ExportCertificatePem()),
                "--cluster-key", Write(files, stem + ".key", key.ExportPkcs8PrivateKeyPem())];
        }

        await using ClusterHarness cluster = await ClusterHarness.StartAsync(postgres);
        await cluster.StartNodeAsync("edge-a", Flags("edge-a", ca, caKey));
        await cluster.StartNodeAsync("edge-b", Flags("edge-b", ca, caKey));

        // Linked over the operator's CA, with an RTT.
        await ClusterHarness.EventuallyAsync(() => cluster.ApiAsync("edge-a", "nodes"),
            nodes => nodes.EnumerateArray().Any(n => n.GetProperty("name").GetString() == "edge-b" && n.GetProperty("link").GetString() is "dialed" or "accepted"
                && n.GetProperty("link_rtt_ms").ValueKind == JsonValueKind.Number),
            TimeSpan.FromSeconds(60), nodes => nodes.ToString());

        // A tunnel on edge-a served through edge-b: a request carried over that link.
        await using Upstream upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using AgentRun agent = await AgentRun.StartAsync(
            [upstream.Port.ToString(CultureInfo.InvariantCulture), "--url", "operator.localhost", "--legs", "1", "--web-addr", "127.0.0.1:0", .. cluster.AgentArgs("edge-a")],
            state.Path, timeout: TimeSpan.FromSeconds(60));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        Assert.Equal("hello from upstream", await ServedThroughEveryNodeTests.EventuallyAsync(
            () => NodeHttp.GetStringAsync(client, cluster.Nodes["edge-b"], "operator.localhost", "/hello", Token), "through edge-b"));

        // edge-c started with edge-b's certificate: refused, naming the mismatch.
        (int exit, string output) = await cluster.StartFailingNodeAsync("edge-c", Flags("edge-b", ca, caKey));
        Assert.NotEqual(0, exit);
        Assert.Contains("ERR_BURROW_5304", output, StringComparison.Ordinal);
        Assert.Contains("names the node 'edge-b', not 'edge-c'", output, StringComparison.Ordinal);

        // edge-d with a certificate naming it but from another CA: refused.
        using ECDsa otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 other = Ca("Someone else's CA", otherKey);
        (exit, output) = await cluster.StartFailingNodeAsync("edge-d", Flags("edge-d", other, otherKey));
        Assert.NotEqual(0, exit);
        Assert.Contains("ERR_BURROW_5304", output, StringComparison.Ordinal);
        Assert.Contains("is not signed by", output, StringComparison.Ordinal);

        // Only two of the three flags: refused before anything starts.
        (exit, output) = await cluster.StartFailingNodeAsync("edge-e", "--cluster-ca", caPath);
        Assert.NotEqual(0, exit);
        Assert.Contains("--cluster-ca, --cluster-cert and --cluster-key go together", output, StringComparison.Ordinal);
    }

    private static string Write(TempDirectory folder, string name, string pem)
    {
        string path = Path.Combine(folder.Path, name);
        File.WriteAllText(path, pem);
        return path;
    }

    private static X509Certificate2 Ca(string name, ECDsa key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, ECDsa caKey, string name, ECDsa key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        // Both ends of a node link present it: client and server use.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2"), new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(7), RandomNumberGenerator.GetBytes(8));
    }
}

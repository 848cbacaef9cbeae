using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Storage;

namespace Burrow.Edge.Cluster;

/// <summary>
/// The cluster CA and this node's certificate from it: what both ends of a node link present and check. The CA is made
/// once, by the first node, and kept in the store with its key sealed (or given by the operator as files); each node
/// issues itself a certificate naming its node name (DNS name) on every start, so no node certificate is ever stored.
/// </summary>
internal sealed class ClusterAuthority : IDisposable
{
    private static readonly TimeSpan CaValidity = TimeSpan.FromDays(3650);
    private static readonly TimeSpan NodeValidity = TimeSpan.FromDays(365);
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private ClusterAuthority(X509Certificate2 ca, X509Certificate2 node, string source)
    {
        Ca = ca;
        Node = node;
        Source = source;
    }

    /// <summary>The cluster CA (its certificate only: the key stays where it was opened).</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>This node's certificate, with its private key.</summary>
    public X509Certificate2 Node { get; }

    /// <summary>Where the CA comes from, for the banner: <c>store</c> or <c>files</c>.</summary>
    public string Source { get; }

    /// <summary>The CA kept in the store (made now if this is the cluster's first node), and a certificate for <paramref name="nodeName"/> from it.</summary>
    public static async Task<ClusterAuthority> FromStoreAsync(IControlStore store, string nodeName, TimeProvider time, CancellationToken cancellationToken)
    {
        ClusterAuthorityRecord record = await store.GetOrCreateClusterAuthorityAsync(() => CreateCa(time), cancellationToken).ConfigureAwait(false);
        using X509Certificate2 caWithKey = X509Certificate2.CreateFromPem(record.CertificatePem, record.KeyPem);
        using ECDsa caKey = caWithKey.GetECDsaPrivateKey() ?? throw new CryptographicException("the stored cluster CA's key is not an ECDSA key");
        var ca = X509CertificateLoader.LoadCertificate(caWithKey.RawData);
        return new ClusterAuthority(ca, Issue(ca, caKey, nodeName, time), "store");
    }

    /// <summary>The operator's CA and node certificate (PEM files), checked: the certificate chains to the CA and names the node.</summary>
    public static ClusterAuthority FromFiles(string caPath, string certificatePath, string keyPath, string nodeName)
    {
        // CreateFromPem, not CreateFromPemFile: with no key file that one looks for the key in the certificate's file, and
        // an operator's CA certificate comes without its key (found by OperatorClusterCaTests).
        using X509Certificate2 caFromPem = X509Certificate2.CreateFromPem(File.ReadAllText(caPath));
        X509Certificate2 ca = X509CertificateLoader.LoadCertificate(caFromPem.RawData);
        using X509Certificate2 loaded = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        // Re-imported so the key is usable by SslStream on every platform.
        X509Certificate2 node = X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
        var authority = new ClusterAuthority(ca, node, "files");
        if (authority.Verify(node) is not { } named)
        {
            authority.Dispose();
            throw new CryptographicException($"{certificatePath} is not signed by {caPath} (or is expired, or not for client and server use)");
        }

        if (named != nodeName)
        {
            authority.Dispose();
            throw new CryptographicException($"{certificatePath} names the node '{named}', not '{nodeName}'");
        }

        return authority;
    }

    /// <summary>
    /// The node name <paramref name="presented"/> is for, when it chains to the cluster CA (and only to it) and is
    /// valid now; <see langword="null"/> otherwise.
    /// </summary>
    public string? Verify(X509Certificate2 presented, X509Certificate2Collection? extra = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (extra is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(extra);
        }

        if (!chain.Build(presented))
        {
            return null;
        }

        // The chain's root must be this CA, not merely a certificate of the same name.
        X509Certificate2 root = chain.ChainElements[^1].Certificate;
        if (!root.RawDataMemory.Span.SequenceEqual(Ca.RawDataMemory.Span))
        {
            return null;
        }

        string name = presented.GetNameInfo(X509NameType.DnsName, forIssuer: false);
        return ClusterOptions.IsNodeName(name) ? name : null;
    }

    public void Dispose()
    {
        Ca.Dispose();
        Node.Dispose();
    }

    private static ClusterAuthorityRecord CreateCa(TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Burrow cluster CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        DateTimeOffset now = time.GetUtcNow();
        using X509Certificate2 ca = request.CreateSelfSigned(now.AddDays(-1), now + CaValidity);
        return new ClusterAuthorityRecord(ca.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, ECDsa caKey, string nodeName, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={nodeName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(nodeName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        // Both: each node is the server of the links it accepts and the client of those it dials.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        DateTimeOffset now = time.GetUtcNow();
        DateTimeOffset notAfter = now + NodeValidity < ca.NotAfter ? now + NodeValidity : ca.NotAfter;
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using X509Certificate2 issued = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), now.AddMinutes(-5), notAfter, serial);
        using X509Certificate2 withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}

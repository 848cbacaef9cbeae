using System.Security.Cryptography.X509Certificates;

namespace Burrow.Acme.Client;

/// <summary>What an issuance yields: the chain as the CA sent it (leaf first), the private key, and where the certificate lives (for revocation and renewal).</summary>
internal sealed record IssuedCertificate(string ChainPem, string KeyPem, Uri CertificateUrl, Uri OrderUrl)
{
    /// <summary>The leaf with its key, ready for a TLS server.</summary>
    public X509Certificate2 LoadLeaf() => X509Certificate2.CreateFromPem(ChainPem, KeyPem);

    /// <summary>Every certificate of the chain, leaf first.</summary>
    public X509Certificate2Collection LoadChain()
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(ChainPem);
        return chain;
    }
}

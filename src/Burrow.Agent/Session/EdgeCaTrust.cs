using System.Security.Cryptography.X509Certificates;

namespace Burrow.Agent.Session;

/// <summary>
/// The second chance an edge certificate gets when the system's roots refuse it: does it chain to the CA given with
/// <c>--edge-ca</c> (the edge's local CA, a private CA)?
/// </summary>
/// <remarks>
/// .NET has no trust mode for "the system's roots and these": <see cref="X509ChainTrustMode.CustomRootTrust"/> replaces
/// the system's, which is what made an agent with <c>--edge-ca</c> fail once its edge switched to a public certificate.
/// So the handshake checks against the system first, and only a chain error (never a name mismatch) comes here.
/// </remarks>
internal static class EdgeCaTrust
{
    public static bool Chains(X509Certificate? presented, X509Chain? handshakeChain, X509Certificate2 edgeCa)
    {
        if (presented is not X509Certificate2 leaf)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(edgeCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // The intermediates the edge sent (the handshake's chain holds them), so a CA above an intermediate works too.
        if (handshakeChain is not null)
        {
            foreach (X509ChainElement element in handshakeChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }
}

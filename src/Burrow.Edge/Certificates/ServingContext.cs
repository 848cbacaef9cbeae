using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Burrow.Edge.Certificates;

/// <summary>
/// Makes the <see cref="SslStreamCertificateContext"/> of every certificate the edge presents to the public, so that each
/// one staples OCSP where its CA runs a responder.
/// </summary>
/// <remarks>
/// <c>offline: false</c> is what turns stapling on: on Linux .NET then fetches the OCSP response from the leaf's AIA
/// responder URL (http only) in the background, staples it once it is in, and refreshes it before it expires (daily,
/// or 5 minutes before its nextUpdate). It needs the issuer: the chain must reach a root, from the certificates given
/// with the leaf or the system store. Handshakes never wait for it: the first ones after a start or a swap may go out
/// without a staple. Certificates without an OCSP URL (the local CA's, Pebble's) fetch nothing. On Windows and macOS
/// stapling is the platform TLS stack's business (not tested here).
/// </remarks>
internal static class ServingContext
{
    public static SslStreamCertificateContext Create(X509Certificate2 leaf, X509Certificate2Collection? chain, SslCertificateTrust? trust = null) =>
        SslStreamCertificateContext.Create(leaf, chain, offline: false, trust);
}

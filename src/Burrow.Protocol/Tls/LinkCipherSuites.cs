using System.Net.Security;

namespace Burrow.Protocol.Tls;

/// <summary>
/// The cipher suites of the agent link, AES-128-GCM first. Every byte of every tunnel is
/// encrypted once by each side, so the cipher is on the data path: AES-128 has 10 rounds where
/// AES-256 has 14, and is the choice of the tunnels we measure against (ssh's aes128-gcm).
/// AES-256-GCM and ChaCha20-Poly1305 stay allowed, for peers that prefer them.
/// </summary>
public static class LinkCipherSuites
{
    // The same list as the public profile (Mozilla intermediate, AES-128-GCM first): one list to keep current.
    /// <summary>The policy for an agent link, or <see langword="null"/> (the system's defaults) where the platform cannot set one.</summary>
    public static CipherSuitesPolicy? Policy => PublicTlsProfile.CipherSuites;
}

using System.Net.Security;
using System.Security.Authentication;

namespace Burrow.Protocol.Tls;

/// <summary>
/// The TLS every public server of Burrow offers (the edge's HTTPS listener, its TLS termination of tls tunnels, the
/// agent's termination): Mozilla's "intermediate" profile (https://wiki.mozilla.org/Security/Server_Side_TLS, v5.7).
/// TLS 1.2 and 1.3 only; on TLS 1.2 only ECDHE key exchange with AEAD ciphers (AES-GCM, ChaCha20-Poly1305). CBC suites
/// are left out because their MAC-then-encrypt padding is what LUCKY13 and its successors attack, and every client
/// that speaks TLS 1.2 also speaks one of these AEAD suites.
/// </summary>
/// <remarks>
/// Mozilla's list also has three DHE-RSA suites, for old clients without ECDHE; they are left out: they need a
/// finite-field group the server must configure, no client testssl simulates still lacks ECDHE, and the edge's
/// own certificates are ECDSA, which DHE-RSA cannot use anyway.
/// <para>
/// The agent link has its own list (<see cref="LinkCipherSuites"/>): both ends are ours there, and its order is
/// chosen for throughput.
/// </para>
/// </remarks>
public static class PublicTlsProfile
{
    /// <summary>TLS 1.2 and 1.3; SSL 3, TLS 1.0 and 1.1 are refused on every platform.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Mozilla's intermediate TLS 1.3 and TLS 1.2 suites (ECDHE only), in its order.</summary>
    public static IReadOnlyList<TlsCipherSuite> Suites { get; } =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>
    /// The suites, or <see langword="null"/> where the platform cannot restrict them (Windows: SChannel takes its list
    /// from the system, and <see cref="CipherSuitesPolicy"/> throws <see cref="PlatformNotSupportedException"/> there).
    /// On Windows the operator sets the suites for the machine (Group Policy "SSL Cipher Suite Order", or
    /// <c>Disable-TlsCipherSuite</c> for the CBC ones); <see cref="Protocols"/> still applies. See docs/tls.md.
    /// </summary>
    public static CipherSuitesPolicy? CipherSuites { get; } = Create();

    /// <summary>Sets the profile's protocols and suites on <paramref name="options"/> and returns it.</summary>
    /// <param name="options">Options of a public TLS server.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static SslServerAuthenticationOptions Apply(SslServerAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.EnabledSslProtocols = Protocols;
        options.CipherSuitesPolicy = CipherSuites;
        return options;
    }

    private static CipherSuitesPolicy? Create()
    {
        // Suites is declared above CipherSuites on purpose: static initializers run in text order.
        if (OperatingSystem.IsWindows())
        {
            // SChannel: the system's suite list applies (see CipherSuites).
            return null;
        }

        try
        {
            return new CipherSuitesPolicy(Suites);
        }
        catch (PlatformNotSupportedException)
        {
            // Any other platform without a way to restrict suites: its defaults, as on Windows.
            return null;
        }
    }
}

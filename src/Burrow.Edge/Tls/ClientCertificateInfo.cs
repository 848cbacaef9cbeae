using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Protocol.Messages;

namespace Burrow.Edge.Tls;

/// <summary>How a validated client certificate is described to the agent and the upstream: names and a fingerprint, never the certificate.</summary>
internal static class ClientCertificateInfo
{
    /// <summary>
    /// The request header with the client certificate on http tunnels with mutual TLS, in Envoy's format (<c>Hash=...;Subject="..."</c>),
    /// which proxies and frameworks already parse.
    /// </summary>
    public const string ForwardedHeader = "X-Forwarded-Client-Cert";

    /// <summary>The fields of <see cref="ProxyTlsInfo.ClientCertificate"/>.</summary>
    public static ProxyClientCertificate Describe(X509Certificate2 certificate) => new()
    {
        Subject = ClientCertificateCheck.Printable(certificate.Subject),
        Issuer = ClientCertificateCheck.Printable(certificate.Issuer),
        Serial = certificate.SerialNumber,
        Sha256 = Sha256(certificate),
        NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
    };

    /// <summary>The value of <see cref="ForwardedHeader"/> for <paramref name="certificate"/>.</summary>
    public static string ForwardedValue(X509Certificate2 certificate) =>
        $"Hash={Sha256(certificate)};Subject=\"{ClientCertificateCheck.Printable(certificate.Subject).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";

    private static string Sha256(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Burrow.Edge.Tls;

/// <summary>Whether a client certificate chains to a tunnel's mutual TLS CAs, and if not, why not in words a user can act on.</summary>
internal static class ClientCertificateCheck
{
    // id-kp-clientAuth: a server-only certificate from the same CA is not a client identity.
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary><see langword="null"/> when <paramref name="certificate"/> is valid now and issued by one of <paramref name="authorities"/>; otherwise the reason.</summary>
    /// <remarks>
    /// Only those CAs are trusted (no system roots: a public CA signs anyone's certificate). Revocation is not checked: the
    /// CAs a tunnel names are usually private ones without a CRL or OCSP responder the edge could reach, and a lookup per
    /// handshake would let them stall every client; rotating the CA is the way to revoke.
    /// </remarks>
    public static string? Refusal(X509Certificate2? certificate, X509Certificate2Collection authorities)
    {
        if (certificate is null)
        {
            return "no client certificate was presented";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthentication));
        try
        {
            if (chain.Build(certificate))
            {
                return null;
            }

            string status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim().TrimEnd('.')).Where(s => s.Length > 0).Distinct());
            return $"'{Printable(certificate.Subject)}' is not accepted by this tunnel's CAs ({(status.Length > 0 ? status : "untrusted")})";
        }
        finally
        {
            foreach (X509ChainElement element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }
    }

    /// <summary>A certificate name as shown in messages and logs: the client chose it, so control characters cannot forge a line.</summary>
    public static string Printable(string name)
    {
        const int MaxShown = 128;
        string shown = name.Length > MaxShown ? name[..MaxShown] + "..." : name;
        return string.Create(shown.Length, shown, static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}

using System.Security.Cryptography.X509Certificates;
using Burrow.Storage;

namespace Burrow.Edge.Certificates;

/// <summary>The control-store row of an ACME certificate: the wildcard's and every on-demand hostname's are stored alike.</summary>
internal static class AcmeCertificateRow
{
    /// <summary>A row for <paramref name="names"/> from <paramref name="directoryUrl"/>, due for renewal at two thirds of the leaf's lifetime.</summary>
    public static NewCertificate For(IReadOnlyList<string> names, string directoryUrl, X509Certificate2 leaf, string chainPem, string keyPem) => new()
    {
        Names = names,
        DirectoryUrl = directoryUrl,
        Issuer = leaf.Issuer,
        Serial = leaf.SerialNumber,
        NotBefore = leaf.NotBefore.ToUniversalTime(),
        NotAfter = leaf.NotAfter.ToUniversalTime(),
        ChainPem = chainPem,
        KeyPem = keyPem,
        NextAttempt = AcmeCertificates.RenewalTime(leaf),
    };
}

using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Burrow.Agent.Session;

/// <summary>The edge's certificate failed the agent's checks: retrying will not help until the agent is told whom to trust.</summary>
internal sealed class EdgeCertificateRejectedException : IOException
{
    public EdgeCertificateRejectedException(string reason, Exception inner)
        : base(reason, inner)
    {
    }

    /// <summary>Says in a person's words why <paramref name="certificate"/> was refused (by the system's roots and <paramref name="edgeCa"/>, when given).</summary>
    public static string Describe(SslPolicyErrors errors, X509Certificate? certificate, X509Chain? chain, string expectedName, X509Certificate2? edgeCa = null)
    {
        var reasons = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            reasons.Add("it sent no certificate");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            string subject = certificate is X509Certificate2 c2 ? c2.GetNameInfo(X509NameType.DnsName, forIssuer: false) : certificate?.Subject ?? "?";
            reasons.Add($"it is for '{subject}', not '{expectedName}'");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            string issuer = certificate?.Issuer ?? "?";
            string status = chain is null ? "" : string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim().TrimEnd('.')).Where(s => s.Length > 0).Distinct());
            string trusted = edgeCa is null ? "" : $" by the system's roots or by --edge-ca ('{edgeCa.Subject}')";
            reasons.Add($"it is issued by '{issuer}', which is not trusted{trusted}{(status.Length > 0 ? $" ({status})" : "")}");
        }

        return reasons.Count == 0 ? errors.ToString() : string.Join("; ", reasons);
    }
}

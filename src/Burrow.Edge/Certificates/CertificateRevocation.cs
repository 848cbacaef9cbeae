using System.Security.Cryptography.X509Certificates;
using Burrow.Acme.Client;
using Burrow.Storage;
using OnDemandCertificates = Burrow.Edge.Certificates.OnDemand.OnDemandCertificates;

namespace Burrow.Edge.Certificates;

/// <summary>
/// <c>burrow admin certs revoke</c>: revokes a stored ACME certificate at the CA that issued it (with the account that
/// ordered it, RFC 8555 section 7.6), marks its row revoked so every edge of a cluster replaces it at once, and wakes
/// this edge's loop for it. The revoked certificate is served until the replacement is installed: a revoked
/// certificate and none at all fail browsers alike, and the replacement is seconds away.
/// </summary>
internal sealed class CertificateRevocation(AcmeCertificates acme, OnDemandCertificates? onDemand, Access.ControlPlane controlPlane, EdgeOptions options)
{
    /// <summary>The RFC 5280 reason codes Let's Encrypt accepts, by the names the API and CLI take.</summary>
    public static readonly IReadOnlyDictionary<string, int> Reasons = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
    {
        ["unspecified"] = 0,
        ["keyCompromise"] = 1,
        ["affiliationChanged"] = 3,
        ["superseded"] = 4,
        ["cessationOfOperation"] = 5,
    };

    /// <summary>Revokes the certificate stored for <paramref name="names"/>; returns its row, now marked revoked.</summary>
    /// <exception cref="StoreException">NotFound: no certificate for the names; Invalid: not one the edge ordered from its CA.</exception>
    /// <exception cref="AcmeException">The CA refused or could not be reached.</exception>
    public async Task<StoredCertificate> RevokeAsync(IReadOnlyList<string> names, int reason, CancellationToken cancellationToken)
    {
        IControlStore store = controlPlane.Store ?? throw new InvalidOperationException("Revocation needs the control store.");
        string key = CertificateNames.Key(names);
        // The list, not GetCertificateAsync: revoking needs the certificate, never its private key.
        StoredCertificate row = await FindAsync(store, key, cancellationToken).ConfigureAwait(false) is { HasCertificate: true } found
            ? found
            : throw new StoreException(StoreErrorKind.NotFound, $"No certificate is stored for {key}.");
        if (row.Source != "acme" || row.DirectoryUrl != options.AcmeDirectory.ToString())
        {
            throw new StoreException(StoreErrorKind.Invalid,
                $"The certificate for {key} was not ordered from this edge's CA ({options.AcmeDirectory}): revoke it where it was issued.");
        }

        using X509Certificate2 leaf = X509Certificate2.CreateFromPem(row.ChainPem);
        using HttpClient http = AcmeCertificates.CreateHttpClient(options.AcmeCaRootPath);
        using (AcmeCertificates.AccountSession session = await acme.OpenAccountAsync(store, http, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await session.Client.RevokeAsync(leaf.RawData, reason, cancellationToken).ConfigureAwait(false);
            }
            catch (AcmeException ex) when (ex.Problem?.Is("alreadyRevoked") == true)
            {
                // Revoked before (another edge's call that failed to mark the row): mark it now.
            }
        }

        await store.RecordCertificateRevokedAsync(names, leaf.SerialNumber, cancellationToken).ConfigureAwait(false);
        if (CertificateNames.Split(key) is [{ } hostname] && onDemand is not null)
        {
            onDemand.Wake(hostname);
        }
        else
        {
            acme.Wake();
        }

        return await FindAsync(store, key, cancellationToken).ConfigureAwait(false) ?? row;
    }

    private static async Task<StoredCertificate?> FindAsync(IControlStore store, string key, CancellationToken cancellationToken) =>
        (await store.ListCertificatesAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(c => c.Names == key);
}

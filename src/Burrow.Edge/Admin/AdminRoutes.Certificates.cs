using Burrow.Edge.Admin.Models;
using Burrow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Burrow.Edge.Admin;

internal sealed partial class AdminRoutes
{
    private void MapCertificates(RouteGroupBuilder api)
    {
        api.MapGet("/certificates", ListCertificatesAsync).WithTags("certificates").Produces<IReadOnlyList<CertificateInfo>>()
            .WithDescription("The certificates in the control store (every edge of a cluster serves these), with the state of their renewal: last error and next attempt.");
        api.MapPost("/certificates/revoke", RevokeCertificateAsync).WithTags("certificates").Produces<CertificateInfo>()
            .WithDescription("Revokes a stored ACME certificate at its CA (reason: unspecified, keyCompromise, affiliationChanged, superseded, cessationOfOperation); every edge then replaces it at once.");
    }

    private async Task<IResult> RevokeCertificateAsync(RevokeCertificateRequest request, HttpContext context, CancellationToken cancellationToken)
    {
        if (_revocation is null)
        {
            return AdminErrors.BadRequest("this edge orders no certificates (no --acme-email), so it revokes none");
        }

        if (request.Names is not { Count: > 0 } names || names.Any(string.IsNullOrWhiteSpace))
        {
            return AdminErrors.BadRequest("names is required: the names of a certificate as burrow admin certs lists them");
        }

        string reasonName = request.Reason ?? "unspecified";
        if (!Certificates.CertificateRevocation.Reasons.TryGetValue(reasonName, out int reason))
        {
            return AdminErrors.BadRequest($"reason '{reasonName}' is not one of {string.Join(", ", Certificates.CertificateRevocation.Reasons.Keys)}");
        }

        try
        {
            StoredCertificate revoked = await _revocation.RevokeAsync(names, reason, cancellationToken).ConfigureAwait(false);
            await AuditAsync(context, AuditKinds.CertificateRevoked, accountId: null, $"{revoked.Names} (serial {revoked.Serial}, {reasonName})").ConfigureAwait(false);
            return Results.Json(ToInfo(revoked, _time.GetUtcNow()), AdminJsonContext.Default.CertificateInfo);
        }
        catch (Burrow.Acme.Client.AcmeException ex)
        {
            // The CA's answer (or its silence) with its code; the edge itself is fine, hence 502.
            return Results.Json(new ErrorInfo(ex.Code.Code, StatusCodes.Status502BadGateway, ex.Message.TrimEnd('.')), AdminJsonContext.Default.ErrorInfo,
                statusCode: StatusCodes.Status502BadGateway);
        }
    }

    private async Task<IResult> ListCertificatesAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        IReadOnlyList<StoredCertificate> stored = await _store.ListCertificatesAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<CertificateInfo> certificates = [.. stored.Select(c => ToInfo(c, now))];
        return Results.Json(certificates, AdminJsonContext.Default.IReadOnlyListCertificateInfo);
    }

    /// <summary>The state read from the row alone, so every edge of a cluster answers the same.</summary>
    internal static CertificateInfo ToInfo(StoredCertificate c, DateTimeOffset now) => new(
        CertificateNames.Split(c.Names),
        c.Source,
        !c.HasCertificate ? "pending" : c.NotAfter <= now ? "expired" : c.IsRevoked ? "revoked" : c.LastError is not null ? "renewal-failing" : "valid",
        c.Issuer,
        c.Serial,
        c.NotBefore,
        c.NotAfter,
        c.LastError,
        c.LastAttempt,
        c.NextAttempt,
        c.DirectoryUrl);
}

using Burrow.Edge.Admin.Models;
using Burrow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Burrow.Edge.Admin;

internal sealed partial class AdminRoutes
{
    private void MapCertificates(RouteGroupBuilder api) =>
        api.MapGet("/certificates", ListCertificatesAsync).WithTags("certificates").Produces<IReadOnlyList<CertificateInfo>>()
            .WithDescription("The certificates in the control store (every edge of a cluster serves these), with the state of their renewal: last error and next attempt.");

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
        !c.HasCertificate ? "pending" : c.NotAfter <= now ? "expired" : c.LastError is not null ? "renewal-failing" : "valid",
        c.Issuer,
        c.Serial,
        c.NotBefore,
        c.NotAfter,
        c.LastError,
        c.LastAttempt,
        c.NextAttempt,
        c.DirectoryUrl);
}

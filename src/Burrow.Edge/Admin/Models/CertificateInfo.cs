namespace Burrow.Edge.Admin.Models;

/// <summary>A certificate in the control store (shared by every edge of a cluster) and how getting or renewing it goes.</summary>
/// <param name="Names">The names it covers.</param>
/// <param name="Source"><c>acme</c> or <c>manual</c>.</param>
/// <param name="State">
/// <c>pending</c> (none issued yet), <c>valid</c>, <c>renewal-failing</c> (the last attempt failed; the current one is still
/// served), <c>revoked</c> (revoked by the operator; the edges are replacing it) or <c>expired</c>.
/// </param>
/// <param name="Issuer">The issuer's distinguished name.</param>
/// <param name="Serial">The serial number (hex).</param>
/// <param name="NotBefore">Start of validity.</param>
/// <param name="NotAfter">End of validity.</param>
/// <param name="LastError">Why the last attempt failed, with its error code; <see langword="null"/> after a success.</param>
/// <param name="LastAttempt">When an edge last tried to order.</param>
/// <param name="NextAttempt">When the next order is due (renewal, or the end of the backoff after a failure).</param>
/// <param name="DirectoryUrl">The ACME directory it is ordered from.</param>
public sealed record CertificateInfo(
    IReadOnlyList<string> Names,
    string Source,
    string State,
    string? Issuer,
    string? Serial,
    DateTimeOffset? NotBefore,
    DateTimeOffset? NotAfter,
    string? LastError,
    DateTimeOffset? LastAttempt,
    DateTimeOffset? NextAttempt,
    string? DirectoryUrl);

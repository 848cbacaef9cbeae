namespace Burrow.Edge.Admin.Models;

/// <summary>The body of <c>POST /api/v1/certificates/revoke</c>.</summary>
/// <param name="Names">The names of the stored certificate, as <c>burrow admin certs</c> lists them (any order).</param>
/// <param name="Reason">
/// RFC 5280's reason: <c>unspecified</c> (the default), <c>keyCompromise</c>, <c>affiliationChanged</c>, <c>superseded</c>
/// or <c>cessationOfOperation</c>.
/// </param>
public sealed record RevokeCertificateRequest(IReadOnlyList<string>? Names, string? Reason);

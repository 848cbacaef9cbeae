namespace Burrow.Edge.Admin.Models;

/// <summary>An audit event.</summary>
/// <param name="Id">Increasing id.</param>
/// <param name="At">When it happened.</param>
/// <param name="Kind">What happened, e.g. <c>token.created</c>.</param>
/// <param name="AccountId">The account concerned.</param>
/// <param name="AuthtokenId">The authtoken concerned.</param>
/// <param name="SessionId">The session concerned.</param>
/// <param name="Address">The remote address concerned.</param>
/// <param name="Subject">The hostname, URL or port concerned.</param>
/// <param name="Detail">A reason, an error code, who acted.</param>
public sealed record AuditEventInfo(
    long Id,
    DateTimeOffset At,
    string Kind,
    string? AccountId,
    string? AuthtokenId,
    string? SessionId,
    string? Address,
    string? Subject,
    string? Detail);

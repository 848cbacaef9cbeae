namespace Burrow.Storage;

/// <summary>A stored audit event.</summary>
/// <param name="Id">Increasing id (later events have larger ids).</param>
/// <param name="At">When it happened.</param>
/// <param name="Kind">What happened; see <see cref="AuditKinds"/>.</param>
/// <param name="AccountId">The account concerned, if any.</param>
/// <param name="AuthtokenId">The authtoken concerned, if any.</param>
/// <param name="SessionId">The agent session concerned, if any.</param>
/// <param name="Address">The remote address concerned, if any.</param>
/// <param name="Subject">The hostname, URL or port concerned, if any.</param>
/// <param name="Detail">A reason, an error code, who acted.</param>
public sealed record AuditEvent(
    long Id,
    DateTimeOffset At,
    string Kind,
    string? AccountId,
    string? AuthtokenId,
    string? SessionId,
    string? Address,
    string? Subject,
    string? Detail);

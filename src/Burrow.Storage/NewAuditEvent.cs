namespace Burrow.Storage;

/// <summary>An audit event to append. Only <see cref="Kind"/> is required; the time is the store's clock unless given.</summary>
public sealed record NewAuditEvent
{
    /// <summary>What happened; see <see cref="AuditKinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>When it happened; default now.</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>The account concerned, if any.</summary>
    public string? AccountId { get; init; }

    /// <summary>The authtoken concerned, if any (its id, never the secret).</summary>
    public string? AuthtokenId { get; init; }

    /// <summary>The agent session concerned, if any.</summary>
    public string? SessionId { get; init; }

    /// <summary>The remote address concerned (agent or admin client), if any.</summary>
    public string? Address { get; init; }

    /// <summary>The hostname, URL or port concerned, if any.</summary>
    public string? Subject { get; init; }

    /// <summary>Free text: a reason, an error code, who acted.</summary>
    public string? Detail { get; init; }
}

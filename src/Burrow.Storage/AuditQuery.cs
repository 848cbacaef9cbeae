namespace Burrow.Storage;

/// <summary>A filter on audit events; every field left <see langword="null"/> matches all.</summary>
public sealed record AuditQuery
{
    /// <summary>Events at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Events before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Events of this kind (exact).</summary>
    public string? Kind { get; init; }

    /// <summary>Events of this account.</summary>
    public string? AccountId { get; init; }

    /// <summary>Events with ids below this one (paging backwards from the last page's smallest id).</summary>
    public long? BeforeId { get; init; }

    /// <summary>Most events returned, 1 to 10,000. Default 100.</summary>
    public int Limit { get; init; } = 100;
}

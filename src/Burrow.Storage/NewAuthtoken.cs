namespace Burrow.Storage;

/// <summary>What to create an authtoken with.</summary>
public sealed record NewAuthtoken
{
    /// <summary>The owning account; it must exist.</summary>
    public required string AccountId { get; init; }

    /// <summary>A name for people (1 to 200 characters).</summary>
    public required string Name { get; init; }

    /// <summary>When it stops working, or <see langword="null"/> for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>What it may do; unrestricted by default.</summary>
    public AuthtokenScopes Scopes { get; init; } = AuthtokenScopes.Unrestricted;
}

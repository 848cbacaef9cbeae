namespace Burrow.Edge.Admin.Models;

/// <summary>An authtoken, without its secret.</summary>
/// <param name="Id">Stable id, <c>tok_</c>...; safe to show.</param>
/// <param name="AccountId">The owning account.</param>
/// <param name="Name">A name for people.</param>
/// <param name="Hint">The first characters of the secret.</param>
/// <param name="Scopes">What it may do.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ExpiresAt">When it stops working, or null.</param>
/// <param name="RevokedAt">When it was revoked, or null.</param>
public sealed record AuthtokenInfo(
    string Id,
    string AccountId,
    string Name,
    string Hint,
    ScopesInfo Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt);

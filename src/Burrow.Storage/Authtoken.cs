namespace Burrow.Storage;

/// <summary>An authtoken as stored: everything but the secret, which is kept only as a digest.</summary>
/// <param name="Id">Stable id, <c>tok_</c> and random characters; safe to show and log.</param>
/// <param name="AccountId">The owning account.</param>
/// <param name="Name">A name for people, e.g. <c>laptop</c>.</param>
/// <param name="Hint">The first characters of the secret (<c>brw_ab12</c>), to tell tokens apart.</param>
/// <param name="Scopes">What it may do.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ExpiresAt">When it stops working, or <see langword="null"/> for never.</param>
/// <param name="RevokedAt">When it was revoked, or <see langword="null"/>.</param>
public sealed record Authtoken(
    string Id,
    string AccountId,
    string Name,
    string Hint,
    AuthtokenScopes Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt)
{
    /// <summary>Whether it was revoked.</summary>
    public bool IsRevoked => RevokedAt is not null;

    /// <summary>Whether it has expired at <paramref name="now"/>.</summary>
    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } expiry && expiry <= now;

    /// <summary>Whether it may be used at <paramref name="now"/>: neither revoked nor expired.</summary>
    public bool IsUsableAt(DateTimeOffset now) => !IsRevoked && !IsExpiredAt(now);
}

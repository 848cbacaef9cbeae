namespace Burrow.Storage;

/// <summary>An API key for the admin API, as stored (the secret only as a digest).</summary>
/// <param name="Id">Stable id, <c>key_</c> and random characters.</param>
/// <param name="AccountId">The owning account.</param>
/// <param name="Name">A name for people.</param>
/// <param name="Hint">The first characters of the secret (<c>brwk_ab12</c>).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="RevokedAt">When it was revoked, or <see langword="null"/>.</param>
public sealed record ApiKey(string Id, string AccountId, string Name, string Hint, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    /// <summary>Whether it was revoked.</summary>
    public bool IsRevoked => RevokedAt is not null;
}

using Dapper;

namespace Burrow.Storage.Sql;

internal sealed partial class SqlControlStore
{
    public Task PublishAcmeChallengeAsync(string type, string key, string keyAuthorization, DateTimeOffset expires, CancellationToken cancellationToken = default)
    {
        (type, key) = ChallengeKey(type, key);
        long now = Now(), until = expires.ToUnixTimeMilliseconds();
        return RunAsync(async c =>
        {
            // Rows an edge never withdrew (it died mid-order) go with the next publication.
            await c.ExecuteAsync("DELETE FROM acme_challenges WHERE expires_at <= @now", new { now, cancellationToken }).ConfigureAwait(false);
            return await c.ExecuteAsync(
                "INSERT INTO acme_challenges (type, challenge_key, key_authorization, expires_at) VALUES (@type, @key, @keyAuthorization, @until) " +
                "ON CONFLICT (type, challenge_key, key_authorization) DO UPDATE SET expires_at = excluded.expires_at",
                new { type, key, keyAuthorization, until, cancellationToken }).ConfigureAwait(false);
        }, cancellationToken, write: true);
    }

    public Task WithdrawAcmeChallengeAsync(string type, string key, string keyAuthorization, CancellationToken cancellationToken = default)
    {
        (type, key) = ChallengeKey(type, key);
        return RunAsync(async c => await c.ExecuteAsync(
            "DELETE FROM acme_challenges WHERE type = @type AND challenge_key = @key AND key_authorization = @keyAuthorization",
            new { type, key, keyAuthorization, cancellationToken }).ConfigureAwait(false), cancellationToken, write: true);
    }

    public Task<IReadOnlyList<string>> FindAcmeChallengeAsync(string type, string key, CancellationToken cancellationToken = default)
    {
        (type, key) = ChallengeKey(type, key);
        long now = Now();
        return RunAsync<IReadOnlyList<string>>(async c => [.. await c.QueryAsync<string>(
            "SELECT key_authorization FROM acme_challenges WHERE type = @type AND challenge_key = @key AND expires_at > @now ORDER BY key_authorization",
            new { type, key, now, cancellationToken }).ConfigureAwait(false)], cancellationToken);
    }

    // Names are matched without regard to case (DNS); tokens exactly, as the CA sent them.
    private static (string Type, string Key) ChallengeKey(string type, string key)
    {
        if (type is not ("http-01" or "tls-alpn-01" or "dns-01"))
        {
            throw new StoreException(StoreErrorKind.Invalid, $"'{type}' is not a challenge type this store keeps (http-01, tls-alpn-01, dns-01).");
        }

        ArgumentException.ThrowIfNullOrEmpty(key);
        return (type, type == "http-01" ? key : key.TrimEnd('.').ToLowerInvariant());
    }
}

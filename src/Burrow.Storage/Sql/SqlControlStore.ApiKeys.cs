using Burrow.Storage.Secrets;
using Dapper;

namespace Burrow.Storage.Sql;

internal sealed partial class SqlControlStore
{
    private const string KeyColumns =
        "id AS Id, account_id AS AccountId, name AS Name, key_hash AS KeyHash, hint AS Hint, created_at AS CreatedAt, revoked_at AS RevokedAt";

    public Task<CreatedApiKey> CreateApiKeyAsync(string accountId, string name, CancellationToken cancellationToken = default)
    {
        string checkedName = RequireName(name, "API key name");
        string secret = SecretGenerator.NewSecret("brwk_");
        var row = new KeyRow
        {
            Id = SecretGenerator.NewId("key_"),
            AccountId = accountId,
            Name = checkedName,
            KeyHash = SecretGenerator.Digest(secret),
            Hint = SecretGenerator.Hint(secret),
            CreatedAt = Now(),
        };
        return RunAsync(async c =>
        {
            await c.ExecuteAsync(
                "INSERT INTO api_keys (id, account_id, name, key_hash, hint, created_at, revoked_at) " +
                "VALUES (@Id, @AccountId, @Name, @KeyHash, @Hint, @CreatedAt, NULL)",
                new { row.Id, row.AccountId, row.Name, row.KeyHash, row.Hint, row.CreatedAt, cancellationToken }).ConfigureAwait(false);
            return new CreatedApiKey(row.ToApiKey(), secret);
        }, cancellationToken, notFound: $"There is no account '{accountId}'.", write: true);
    }

    public Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(string? accountId = null, CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<ApiKey>>(async c => [.. (await c.QueryAsync<KeyRow>(
            $"SELECT {KeyColumns} FROM api_keys WHERE (@accountId IS NULL OR account_id = @accountId) ORDER BY created_at, id",
            new { accountId, cancellationToken }).ConfigureAwait(false)).Select(r => r.ToApiKey())], cancellationToken);

    public Task<ApiKey?> FindApiKeyAsync(string secret, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return Task.FromResult<ApiKey?>(null);
        }

        string digest = SecretGenerator.Digest(secret);
        return RunAsync(async c =>
        {
            KeyRow? row = await c.QuerySingleOrDefaultAsync<KeyRow>(
                $"SELECT {KeyColumns} FROM api_keys WHERE key_hash = @digest", new { digest, cancellationToken }).ConfigureAwait(false);
            return row is not null && SecretGenerator.DigestsEqual(row.KeyHash, digest) ? row.ToApiKey() : null;
        }, cancellationToken);
    }

    public Task<ApiKey?> RevokeApiKeyAsync(string apiKeyId, CancellationToken cancellationToken = default)
    {
        long now = Now();
        return RunAsync(async c =>
        {
            await c.ExecuteAsync(
                "UPDATE api_keys SET revoked_at = @now WHERE id = @apiKeyId AND revoked_at IS NULL", new { apiKeyId, now, cancellationToken }).ConfigureAwait(false);
            return (await c.QuerySingleOrDefaultAsync<KeyRow>(
                $"SELECT {KeyColumns} FROM api_keys WHERE id = @apiKeyId", new { apiKeyId, cancellationToken }).ConfigureAwait(false))?.ToApiKey();
        }, cancellationToken, write: true);
    }

    internal sealed class KeyRow
    {
        public string Id { get; set; } = "";

        public string AccountId { get; set; } = "";

        public string Name { get; set; } = "";

        public string KeyHash { get; set; } = "";

        public string Hint { get; set; } = "";

        public long CreatedAt { get; set; }

        public long? RevokedAt { get; set; }

        public ApiKey ToApiKey() => new(Id, AccountId, Name, Hint, Time(CreatedAt), Time(RevokedAt));
    }
}

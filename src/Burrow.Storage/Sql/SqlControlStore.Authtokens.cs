using Burrow.Storage.Secrets;
using Dapper;

namespace Burrow.Storage.Sql;

internal sealed partial class SqlControlStore
{
    private const string TokenColumns =
        "id AS Id, account_id AS AccountId, name AS Name, token_hash AS TokenHash, hint AS Hint, scopes AS Scopes, " +
        "created_at AS CreatedAt, expires_at AS ExpiresAt, revoked_at AS RevokedAt";

    public Task<CreatedAuthtoken> CreateAuthtokenAsync(NewAuthtoken request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        string name = RequireName(request.Name, "authtoken name");
        Validate(request.Scopes);
        string secret = SecretGenerator.NewSecret("brw_");
        var row = new TokenRow
        {
            Id = SecretGenerator.NewId("tok_"),
            AccountId = request.AccountId,
            Name = name,
            TokenHash = SecretGenerator.Digest(secret),
            Hint = SecretGenerator.Hint(secret),
            Scopes = ScopesJson.Write(request.Scopes),
            CreatedAt = Now(),
            ExpiresAt = request.ExpiresAt?.ToUnixTimeMilliseconds(),
        };
        return RunAsync(async c =>
        {
            await c.ExecuteAsync(
                "INSERT INTO authtokens (id, account_id, name, token_hash, hint, scopes, created_at, expires_at, revoked_at) " +
                "VALUES (@Id, @AccountId, @Name, @TokenHash, @Hint, @Scopes, @CreatedAt, @ExpiresAt, NULL)",
                new { row.Id, row.AccountId, row.Name, row.TokenHash, row.Hint, row.Scopes, row.CreatedAt, row.ExpiresAt, cancellationToken }).ConfigureAwait(false);
            return new CreatedAuthtoken(row.ToAuthtoken(), secret);
        }, cancellationToken, notFound: $"There is no account '{request.AccountId}'.", write: true);
    }

    public Task<Authtoken?> GetAuthtokenAsync(string authtokenId, CancellationToken cancellationToken = default) =>
        RunAsync(c => GetTokenAsync(c, authtokenId, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<Authtoken>> ListAuthtokensAsync(string? accountId = null, CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<Authtoken>>(async c => [.. (await c.QueryAsync<TokenRow>(
            $"SELECT {TokenColumns} FROM authtokens WHERE (@accountId IS NULL OR account_id = @accountId) ORDER BY created_at, id",
            new { accountId, cancellationToken }).ConfigureAwait(false)).Select(r => r.ToAuthtoken())], cancellationToken);

    public Task<Authtoken?> FindAuthtokenAsync(string secret, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return Task.FromResult<Authtoken?>(null);
        }

        // The lookup is by digest: the database sees only the hash of a 238-bit secret, so the
        // index's timing tells nothing useful; the final comparison is fixed-time all the same.
        string digest = SecretGenerator.Digest(secret);
        return RunAsync(async c =>
        {
            TokenRow? row = await c.QuerySingleOrDefaultAsync<TokenRow>(
                $"SELECT {TokenColumns} FROM authtokens WHERE token_hash = @digest", new { digest, cancellationToken }).ConfigureAwait(false);
            return row is not null && SecretGenerator.DigestsEqual(row.TokenHash, digest) ? row.ToAuthtoken() : null;
        }, cancellationToken);
    }

    public Task<Authtoken?> RevokeAuthtokenAsync(string authtokenId, CancellationToken cancellationToken = default)
    {
        long now = Now();
        return RunAsync(async c =>
        {
            await c.ExecuteAsync(
                "UPDATE authtokens SET revoked_at = @now WHERE id = @authtokenId AND revoked_at IS NULL", new { authtokenId, now, cancellationToken }).ConfigureAwait(false);
            return await GetTokenAsync(c, authtokenId, cancellationToken).ConfigureAwait(false);
        }, cancellationToken, write: true);
    }

    public Task<Authtoken?> UpdateAuthtokenScopesAsync(string authtokenId, AuthtokenScopes scopes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        Validate(scopes);
        string json = ScopesJson.Write(scopes);
        return RunAsync(async c =>
        {
            await c.ExecuteAsync(
                "UPDATE authtokens SET scopes = @json WHERE id = @authtokenId", new { authtokenId, json, cancellationToken }).ConfigureAwait(false);
            return await GetTokenAsync(c, authtokenId, cancellationToken).ConfigureAwait(false);
        }, cancellationToken, write: true);
    }

    public Task<IReadOnlyList<string>> FindUnusableAuthtokensAsync(IReadOnlyCollection<string> authtokenIds, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(authtokenIds);
        if (authtokenIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        long at = now.ToUnixTimeMilliseconds();
        string[] ids = [.. authtokenIds.Distinct(StringComparer.Ordinal)];
        return RunAsync<IReadOnlyList<string>>(async c =>
        {
            var usable = new HashSet<string>(StringComparer.Ordinal);
            // Batches keep the statement under SQLite's parameter limit.
            foreach (string[] batch in ids.Chunk(500))
            {
                // Dapper expands the list for SQLite; PostgreSQL takes the array as one parameter.
                usable.UnionWith(await (_dialect.Kind == StoreKind.Postgres
                    ? c.QueryAsync<string>(
                        "SELECT id FROM authtokens WHERE id = ANY(@batch) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @at)",
                        new { batch, at, cancellationToken })
                    : c.QueryAsync<string>(
                        "SELECT id FROM authtokens WHERE id IN @batch AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @at)",
                        new { batch, at, cancellationToken })).ConfigureAwait(false));
            }

            return [.. ids.Where(id => !usable.Contains(id))];
        }, cancellationToken);
    }

    private static async Task<Authtoken?> GetTokenAsync(System.Data.Common.DbConnection c, string authtokenId, CancellationToken cancellationToken) =>
        (await c.QuerySingleOrDefaultAsync<TokenRow>(
            $"SELECT {TokenColumns} FROM authtokens WHERE id = @authtokenId", new { authtokenId, cancellationToken }).ConfigureAwait(false))?.ToAuthtoken();

    private static void Validate(AuthtokenScopes scopes)
    {
        if (scopes.MaxTunnels is < 0 || scopes.MaxSessions is < 0)
        {
            throw new StoreException(StoreErrorKind.Invalid, "Quotas cannot be negative.");
        }

        foreach (string pattern in scopes.Hostnames)
        {
            if (!HostnamePattern.IsValid(pattern))
            {
                throw new StoreException(StoreErrorKind.Invalid,
                    $"'{pattern}' is not a hostname pattern; use a hostname (demo.example.com), a wildcard (*.alice.example.com) or a label (demo).");
            }
        }
    }

    internal sealed class TokenRow
    {
        public string Id { get; set; } = "";

        public string AccountId { get; set; } = "";

        public string Name { get; set; } = "";

        public string TokenHash { get; set; } = "";

        public string Hint { get; set; } = "";

        public string Scopes { get; set; } = "{}";

        public long CreatedAt { get; set; }

        public long? ExpiresAt { get; set; }

        public long? RevokedAt { get; set; }

        public Authtoken ToAuthtoken() =>
            new(Id, AccountId, Name, Hint, ScopesJson.Read(Scopes), Time(CreatedAt), Time(ExpiresAt), Time(RevokedAt));
    }
}

using Dapper;

namespace Burrow.Storage.Sql;

internal sealed partial class SqlControlStore
{
    public Task<AcmeAccountRecord?> GetAcmeAccountAsync(string directoryUrl, CancellationToken cancellationToken = default) =>
        RunAsync(async c =>
        {
            AcmeAccountRow? row = await c.QuerySingleOrDefaultAsync<AcmeAccountRow>(
                "SELECT directory_url AS DirectoryUrl, key_sealed AS KeySealed, account_url AS AccountUrl, contact AS Contact, updated_at AS UpdatedAt FROM acme_accounts WHERE directory_url = @directoryUrl",
                new { directoryUrl, cancellationToken }).ConfigureAwait(false);
            return row is null ? null : new AcmeAccountRecord(row.DirectoryUrl, _sealer.Open(row.KeySealed, AccountSealContext(row.DirectoryUrl)), row.AccountUrl, row.Contact, Time(row.UpdatedAt));
        }, cancellationToken);

    public Task<AcmeAccountRecord> AddAcmeAccountAsync(string directoryUrl, string keyPem, string? accountUrl, string? contact, CancellationToken cancellationToken = default)
    {
        string keySealed = _sealer.Seal(keyPem, AccountSealContext(directoryUrl));
        long now = Now();
        return RunAsync(async c =>
        {
            // The first edge's key wins: an edge that made a key at the same moment reads this one back and uses it.
            await c.ExecuteAsync(
                "INSERT INTO acme_accounts (directory_url, key_sealed, account_url, contact, updated_at) VALUES (@directoryUrl, @keySealed, @accountUrl, @contact, @now) " +
                "ON CONFLICT (directory_url) DO NOTHING",
                new { directoryUrl, keySealed, accountUrl, contact, now, cancellationToken }).ConfigureAwait(false);
            AcmeAccountRow row = await c.QuerySingleAsync<AcmeAccountRow>(
                "SELECT directory_url AS DirectoryUrl, key_sealed AS KeySealed, account_url AS AccountUrl, contact AS Contact, updated_at AS UpdatedAt FROM acme_accounts WHERE directory_url = @directoryUrl",
                new { directoryUrl, cancellationToken }).ConfigureAwait(false);
            return new AcmeAccountRecord(row.DirectoryUrl, _sealer.Open(row.KeySealed, AccountSealContext(row.DirectoryUrl)), row.AccountUrl, row.Contact, Time(row.UpdatedAt));
        }, cancellationToken, write: true);
    }

    public Task UpdateAcmeAccountAsync(string directoryUrl, string? accountUrl, string? contact, CancellationToken cancellationToken = default)
    {
        long now = Now();
        return RunAsync(async c => await c.ExecuteAsync(
            "UPDATE acme_accounts SET account_url = @accountUrl, contact = @contact, updated_at = @now WHERE directory_url = @directoryUrl",
            new { directoryUrl, accountUrl, contact, now, cancellationToken }).ConfigureAwait(false), cancellationToken, write: true);
    }

    private static string AccountSealContext(string directoryUrl) => "acme account " + directoryUrl;

    internal sealed class AcmeAccountRow
    {
        public string DirectoryUrl { get; set; } = "";

        public string KeySealed { get; set; } = "";

        public string? AccountUrl { get; set; }

        public string? Contact { get; set; }

        public long UpdatedAt { get; set; }
    }
}

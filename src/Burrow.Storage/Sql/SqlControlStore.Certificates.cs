using Dapper;

namespace Burrow.Storage.Sql;

internal sealed partial class SqlControlStore
{
    private const string CertificateColumns =
        "names AS Names, source AS Source, directory_url AS DirectoryUrl, issuer AS Issuer, serial AS Serial, not_before AS NotBefore, not_after AS NotAfter, " +
        "chain_pem AS ChainPem, key_sealed AS KeySealed, last_error AS LastError, last_attempt AS LastAttempt, next_attempt AS NextAttempt, updated_at AS UpdatedAt, revoked_serial AS RevokedSerial";

    public Task<StoredCertificate?> GetCertificateAsync(IReadOnlyList<string> names, CancellationToken cancellationToken = default)
    {
        string key = CertificateNames.Key(names);
        return RunAsync(async c =>
        {
            CertificateRow? row = await c.QuerySingleOrDefaultAsync<CertificateRow>(
                $"SELECT {CertificateColumns} FROM certificates WHERE names = @key", new { key, cancellationToken }).ConfigureAwait(false);
            return row?.ToCertificate(row.KeySealed is { } sealedKey ? _sealer.Open(sealedKey, SealContext(row.Names)) : null);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<StoredCertificate>> ListCertificatesAsync(CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<StoredCertificate>>(async c => [.. (await Ado.QueryAsync(c,
            $"SELECT {CertificateColumns} FROM certificates ORDER BY names", CertificateRow.Read, cancellationToken).ConfigureAwait(false))
            .Select(r => r.ToCertificate(null))], cancellationToken);

    public Task<StoredCertificate> SaveCertificateAsync(NewCertificate certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (certificate.Source is not ("acme" or "manual"))
        {
            throw new StoreException(StoreErrorKind.Invalid, $"A certificate's source is 'acme' or 'manual', not '{certificate.Source}'.");
        }

        string names = CertificateNames.Key(certificate.Names);
        string keySealed = _sealer.Seal(certificate.KeyPem, SealContext(names));
        var row = new CertificateRow
        {
            Names = names,
            Source = certificate.Source,
            DirectoryUrl = certificate.DirectoryUrl,
            Issuer = certificate.Issuer,
            Serial = certificate.Serial,
            NotBefore = certificate.NotBefore.ToUnixTimeMilliseconds(),
            NotAfter = certificate.NotAfter.ToUnixTimeMilliseconds(),
            ChainPem = certificate.ChainPem,
            KeySealed = keySealed,
            LastAttempt = Now(),
            NextAttempt = certificate.NextAttempt?.ToUnixTimeMilliseconds(),
            UpdatedAt = Now(),
        };
        return RunAsync(async c =>
        {
            // A success clears the last error; the attempt is this one.
            await c.ExecuteAsync(
                "INSERT INTO certificates (names, source, directory_url, issuer, serial, not_before, not_after, chain_pem, key_sealed, last_error, last_attempt, next_attempt, updated_at) " +
                "VALUES (@Names, @Source, @DirectoryUrl, @Issuer, @Serial, @NotBefore, @NotAfter, @ChainPem, @KeySealed, NULL, @LastAttempt, @NextAttempt, @UpdatedAt) " +
                "ON CONFLICT (names) DO UPDATE SET source = excluded.source, directory_url = excluded.directory_url, issuer = excluded.issuer, serial = excluded.serial, " +
                "not_before = excluded.not_before, not_after = excluded.not_after, chain_pem = excluded.chain_pem, key_sealed = excluded.key_sealed, last_error = NULL, revoked_serial = NULL, " +
                "last_attempt = excluded.last_attempt, next_attempt = excluded.next_attempt, updated_at = excluded.updated_at",
                new { row.Names, row.Source, row.DirectoryUrl, row.Issuer, row.Serial, row.NotBefore, row.NotAfter, row.ChainPem, row.KeySealed, row.LastAttempt, row.NextAttempt, row.UpdatedAt, cancellationToken }).ConfigureAwait(false);
            return row.ToCertificate(certificate.KeyPem);
        }, cancellationToken, write: true);
    }

    public Task RecordCertificateAttemptAsync(IReadOnlyList<string> names, string? directoryUrl, string? lastError, DateTimeOffset? nextAttempt, CancellationToken cancellationToken = default)
    {
        string key = CertificateNames.Key(names);
        long now = Now();
        long? next = nextAttempt?.ToUnixTimeMilliseconds();
        return RunAsync(async c =>
        {
            // The first failure of a first order makes a row without a certificate, so every edge (and the admin API) sees it.
            await c.ExecuteAsync(
                "INSERT INTO certificates (names, source, directory_url, last_error, last_attempt, next_attempt, updated_at) VALUES (@key, 'acme', @directoryUrl, @lastError, @now, @next, @now) " +
                "ON CONFLICT (names) DO UPDATE SET last_error = excluded.last_error, last_attempt = excluded.last_attempt, next_attempt = excluded.next_attempt, updated_at = excluded.updated_at",
                new { key, directoryUrl, lastError, now, next, cancellationToken }).ConfigureAwait(false);
            return true;
        }, cancellationToken, write: true);
    }

    public Task<bool> RecordCertificateRevokedAsync(IReadOnlyList<string> names, string serial, CancellationToken cancellationToken = default)
    {
        string key = CertificateNames.Key(names);
        long now = Now();
        // Only the certificate the row still holds: one an edge has replaced since is not marked.
        return RunAsync(async c => await c.ExecuteAsync(
            "UPDATE certificates SET revoked_serial = serial, next_attempt = @now, updated_at = @now WHERE names = @key AND lower(serial) = lower(@serial)",
            new { key, serial, now, cancellationToken }).ConfigureAwait(false) == 1, cancellationToken, write: true);
    }

    private static string SealContext(string names) => "certificate " + names;

    internal sealed class CertificateRow
    {
        public string Names { get; set; } = "";

        public string Source { get; set; } = "";

        public string? DirectoryUrl { get; set; }

        public string? Issuer { get; set; }

        public string? Serial { get; set; }

        public long? NotBefore { get; set; }

        public long? NotAfter { get; set; }

        public string? ChainPem { get; set; }

        public string? KeySealed { get; set; }

        public string? LastError { get; set; }

        public long? LastAttempt { get; set; }

        public long? NextAttempt { get; set; }

        public long UpdatedAt { get; set; }

        public string? RevokedSerial { get; set; }

        public static CertificateRow Read(System.Data.Common.DbDataReader r) => new()
        {
            Names = r.GetString(0),
            Source = r.GetString(1),
            DirectoryUrl = Text(r, 2),
            Issuer = Text(r, 3),
            Serial = Text(r, 4),
            NotBefore = Number(r, 5),
            NotAfter = Number(r, 6),
            ChainPem = Text(r, 7),
            KeySealed = Text(r, 8),
            LastError = Text(r, 9),
            LastAttempt = Number(r, 10),
            NextAttempt = Number(r, 11),
            UpdatedAt = r.GetInt64(12),
            RevokedSerial = Text(r, 13),
        };

        private static string? Text(System.Data.Common.DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

        private static long? Number(System.Data.Common.DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

        public StoredCertificate ToCertificate(string? keyPem) => new(
            Names, Source, DirectoryUrl, Issuer, Serial, Time(NotBefore), Time(NotAfter), ChainPem, keyPem, LastError, Time(LastAttempt), Time(NextAttempt), Time(UpdatedAt), RevokedSerial);
    }
}

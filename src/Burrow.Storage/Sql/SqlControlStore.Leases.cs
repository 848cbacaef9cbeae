using Dapper;

namespace Burrow.Storage.Sql;

internal sealed partial class SqlControlStore
{
    public Task<bool> TryTakeCertificateLeaseAsync(IReadOnlyList<string> names, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        string key = CertificateNames.Key(names);
        long now = Now();
        long expires = now + (long)duration.TotalMilliseconds;
        // One statement on both engines: insert, or take over a row this holder has or whose time is up. The
        // conditional DO UPDATE touches no row when another holder's lease still runs, so 0 rows = not taken.
        // PostgreSQL locks the conflicting row and re-checks the condition on its latest version; SQLite has one writer.
        return RunAsync(async c => await c.ExecuteAsync(
            "INSERT INTO certificate_leases (names, holder, expires_at) VALUES (@key, @holder, @expires) " +
            "ON CONFLICT (names) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at " +
            "WHERE certificate_leases.holder = excluded.holder OR certificate_leases.expires_at <= @now",
            new { key, holder, expires, now, cancellationToken }).ConfigureAwait(false) == 1, cancellationToken, write: true);
    }

    public Task ReleaseCertificateLeaseAsync(IReadOnlyList<string> names, string holder, CancellationToken cancellationToken = default)
    {
        string key = CertificateNames.Key(names);
        return RunAsync(async c => await c.ExecuteAsync(
            "DELETE FROM certificate_leases WHERE names = @key AND holder = @holder", new { key, holder, cancellationToken }).ConfigureAwait(false),
            cancellationToken, write: true);
    }
}

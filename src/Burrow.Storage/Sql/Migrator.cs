using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Dapper;

namespace Burrow.Storage.Sql;

/// <summary>
/// Brings a database's schema up to date: the embedded scripts <c>Migrations/&lt;dialect&gt;/NNNN_*.sql</c>
/// run in order, each in its own transaction together with its row in <c>schema_version</c>.
/// </summary>
internal static class Migrator
{
    private static readonly Assembly Assembly = typeof(Migrator).Assembly;

    /// <summary>The migrations of a dialect, by version.</summary>
    public static IReadOnlyList<(int Version, string Name)> List(string folder)
    {
        string prefix = $"Migrations/{folder}/";
        return [.. Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Version: int.Parse(n.AsSpan(prefix.Length, 4), CultureInfo.InvariantCulture), Name: n))
            .OrderBy(m => m.Version)];
    }

    /// <summary>The newest version this build knows for a dialect.</summary>
    public static int Latest(string folder) => List(folder)[^1].Version;

    /// <summary>Applies the migrations above the database's version, up to <paramref name="target"/> (default: all).</summary>
    public static async Task<int> MigrateAsync(SqlDialect dialect, TimeProvider time, int? target, CancellationToken cancellationToken)
    {
        var migrations = List(dialect.MigrationFolder);
        DbConnection connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await dialect.PrepareAsync(connection, cancellationToken).ConfigureAwait(false);
            IAsyncDisposable? migrationLock = await dialect.LockForMigrationAsync(connection, cancellationToken).ConfigureAwait(false);
            try
            {
                return await MigrateLockedAsync(dialect, connection, migrations, time, target, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (migrationLock is not null)
                {
                    await migrationLock.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task<int> MigrateLockedAsync(
        SqlDialect dialect, DbConnection connection, IReadOnlyList<(int Version, string Name)> migrations, TimeProvider time, int? target, CancellationToken cancellationToken)
    {
        int latest = migrations[^1].Version;
        {
            await Ado.ExecuteAsync(connection,
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
                null, cancellationToken).ConfigureAwait(false);

            int current = await CurrentAsync(connection, null, cancellationToken).ConfigureAwait(false);
            if (current > latest)
            {
                throw new StoreException(StoreErrorKind.MigrationFailed, string.Create(CultureInfo.InvariantCulture,
                    $"The database is at schema version {current}, newer than this build knows ({latest}); upgrade burrow."));
            }

            foreach (var (version, name) in migrations)
            {
                if (version <= current || (target is { } t && version > t))
                {
                    continue;
                }

                DbTransaction transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    // Another edge may have applied it while this one waited for the lock.
                    if (await CurrentAsync(connection, transaction, cancellationToken).ConfigureAwait(false) >= version)
                    {
                        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    try
                    {
                        await Ado.ExecuteAsync(connection, Read(name), transaction, cancellationToken).ConfigureAwait(false);
                        await connection.ExecuteAsync(
                            "INSERT INTO schema_version (version, applied_at) VALUES (@version, @at)",
                            new { version, at = time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken }, transaction).ConfigureAwait(false);
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (DbException ex)
                    {
                        throw new StoreException(StoreErrorKind.MigrationFailed, string.Create(CultureInfo.InvariantCulture,
                            $"Migration {version} ({Path.GetFileNameWithoutExtension(name)}) failed and was rolled back: {ex.Message}"), ex);
                    }
                }
            }

            return await CurrentAsync(connection, null, cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task<int> CurrentAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken) =>
        (int)await Ado.ScalarInt64Async(connection,
            "SELECT COALESCE(MAX(version), 0) FROM schema_version", transaction, cancellationToken).ConfigureAwait(false);

    private static string Read(string resource)
    {
        using Stream stream = Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Migration resource {resource} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

using System.Data.Common;

namespace Burrow.Storage.Sql;

/// <summary>
/// <see cref="IControlStore"/> over SQLite or PostgreSQL with Dapper: the same parameterized SQL
/// for both (times as Unix milliseconds, scopes as JSON text), dialect differences in <see cref="SqlDialect"/>.
/// Dapper.AOT replaces every Dapper call at build time (no reflection emit, so the store runs under
/// Native AOT). Each call passes constant SQL and an anonymous parameter object that carries the
/// cancellation token, so a list with an optional account filter is one statement
/// (<c>@accountId IS NULL OR account_id = @accountId</c>). Statements without parameters, and the
/// audit query, whose text depends on its filters, are plain ADO.NET (<see cref="Ado"/>).
/// </summary>
internal sealed partial class SqlControlStore : IControlStore
{
    private readonly SqlDialect _dialect;
    private readonly TimeProvider _time;
    private readonly Secrets.SecretSealer _sealer;

    private SqlControlStore(SqlDialect dialect, TimeProvider time, Func<byte[]>? sealingKey)
    {
        _dialect = dialect;
        _time = time;
        _sealer = new Secrets.SecretSealer(sealingKey);
    }

    public StoreKind Kind => _dialect.Kind;

    public string Description => _dialect.Description;

    public static Task<IControlStore> OpenAsync(StoreOptions options, CancellationToken cancellationToken) =>
        OpenAsync(options, null, cancellationToken);

    /// <summary>Opens the store, migrating up to <paramref name="targetVersion"/> (tests stop at an older version).</summary>
    public static async Task<IControlStore> OpenAsync(StoreOptions options, int? targetVersion, CancellationToken cancellationToken)
    {
        SqlDialect dialect = DatabaseAddress.Parse(options.Database, options.DataDirectory);
        try
        {
            await Migrator.MigrateAsync(dialect, options.Time, targetVersion, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await dialect.DisposeAsync().ConfigureAwait(false);
            throw new StoreException(StoreErrorKind.Unavailable, $"Cannot open the database {dialect.Description}: {ex.Message}", ex);
        }
        catch
        {
            await dialect.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new SqlControlStore(dialect, options.Time, options.SealingKey);
    }

    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default) =>
        RunAsync(c => Migrator.CurrentAsync(c, null, cancellationToken), cancellationToken);

    public ValueTask DisposeAsync() => _dialect.DisposeAsync();

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? Time(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;

    /// <summary>Runs <paramref name="work"/> on a pooled connection, turning database failures into <see cref="StoreException"/>.</summary>
    private async Task<T> RunAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken, string? conflict = null, string? notFound = null, bool write = false)
    {
        using IDisposable? turn = write ? await _dialect.EnterWriteAsync(cancellationToken).ConfigureAwait(false) : null;
        try
        {
            DbConnection connection = await _dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                return await work(connection).ConfigureAwait(false);
            }
        }
        catch (DbException ex) when (conflict is not null && _dialect.IsUniqueViolation(ex))
        {
            throw new StoreException(StoreErrorKind.Conflict, conflict, ex);
        }
        catch (DbException ex) when (notFound is not null && _dialect.IsForeignKeyViolation(ex))
        {
            throw new StoreException(StoreErrorKind.NotFound, notFound, ex);
        }
        catch (Exception ex) when (ex is DbException or IOException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new StoreException(StoreErrorKind.Unavailable, $"The database {_dialect.Description} failed: {ex.Message}", ex);
        }
    }

    private static string RequireName(string? name, string what)
    {
        string trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > 200)
        {
            throw new StoreException(StoreErrorKind.Invalid, $"The {what} must be 1 to 200 characters.");
        }

        return trimmed;
    }
}

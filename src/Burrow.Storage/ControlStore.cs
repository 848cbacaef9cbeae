namespace Burrow.Storage;

/// <summary>Opens control stores.</summary>
public static class ControlStore
{
    /// <summary>
    /// Opens the store <paramref name="options"/> name, creating the SQLite file if needed, and
    /// runs the migrations the database lacks (in one transaction each).
    /// </summary>
    /// <exception cref="StoreException">The database is unreachable (<see cref="StoreErrorKind.Unavailable"/>),
    /// its address malformed (<see cref="StoreErrorKind.Invalid"/>), or a migration failed (<see cref="StoreErrorKind.MigrationFailed"/>).</exception>
    public static Task<IControlStore> OpenAsync(StoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Sql.SqlControlStore.OpenAsync(options, cancellationToken);
    }
}

using System.Data.Common;

namespace Burrow.Storage.Sql;

/// <summary>What differs between SQLite and PostgreSQL: connections, migration scripts, and how constraint violations are reported.</summary>
internal abstract class SqlDialect : IAsyncDisposable
{
    public abstract StoreKind Kind { get; }

    /// <summary>Where the data lives, without secrets.</summary>
    public abstract string Description { get; }

    /// <summary>The folder of the embedded migration scripts: <c>sqlite</c> or <c>postgres</c>.</summary>
    public abstract string MigrationFolder { get; }

    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Waits for this process's turn to write, where the database takes one writer at a time;
    /// dispose the result to let the next one in. <see langword="null"/> when writers need no queue.
    /// </summary>
    public virtual ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);

    /// <summary>Runs once before the migrations (e.g. WAL mode).</summary>
    public virtual Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Serializes migrations among edges sharing the database; held until the returned lock is disposed.</summary>
    public virtual Task<IAsyncDisposable?> LockForMigrationAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable?>(null);

    /// <summary>Starts a transaction that takes the write lock at once (SQLite: BEGIN IMMEDIATE).</summary>
    public abstract ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Whether the engine can hold a cluster's shared state (nodes, notifications): PostgreSQL only.</summary>
    public virtual bool SupportsCluster => false;

    /// <summary>LISTENs on <paramref name="channel"/> until cancelled (see <see cref="IControlStore.ListenAsync"/>).</summary>
    public virtual Task ListenAsync(string channel, Action onListening, Action<string> onNotification, CancellationToken cancellationToken) =>
        throw new StoreException(StoreErrorKind.Invalid, "Notifications need PostgreSQL.");

    public abstract bool IsUniqueViolation(DbException exception);

    public abstract bool IsForeignKeyViolation(DbException exception);

    public abstract ValueTask DisposeAsync();
}

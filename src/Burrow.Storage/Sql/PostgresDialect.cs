using System.Data.Common;
using Dapper;
using Npgsql;

namespace Burrow.Storage.Sql;

/// <summary>A PostgreSQL database through a pooled Npgsql data source.</summary>
internal sealed class PostgresDialect : SqlDialect
{
    // An arbitrary constant: the advisory lock id every Burrow edge takes to migrate.
    private const long MigrationLockId = 0x6275_7272_6f77;

    /// <summary>The store's pool unless the connection string sets one: queries are short, and a node has a second pool (RouteTable).</summary>
    public const int DefaultMaxPoolSize = 20;

    private readonly NpgsqlDataSource _dataSource;

    public PostgresDialect(NpgsqlConnectionStringBuilder connectionString)
    {
        _dataSource = NpgsqlDataSource.Create(DatabaseAddress.CapPool(connectionString, DefaultMaxPoolSize));
        string host = connectionString.Host ?? "localhost";
        Description = $"postgres {host}:{connectionString.Port}/{connectionString.Database ?? connectionString.Username}";
    }

    public override StoreKind Kind => StoreKind.Postgres;

    public override string Description { get; }

    public override string MigrationFolder => "postgres";

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override async Task<IAsyncDisposable?> LockForMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // A session lock, so that even CREATE TABLE IF NOT EXISTS schema_version (which races in
        // PostgreSQL's catalog) runs in one edge at a time.
        await connection.ExecuteAsync("SELECT pg_advisory_lock(@id)", new { id = MigrationLockId, cancellationToken }).ConfigureAwait(false);
        return new Unlock(connection);
    }

    public override async ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    public override bool SupportsCluster => true;

    public override async Task ListenAsync(string channel, Action onListening, Action<string> onNotification, CancellationToken cancellationToken)
    {
        // A connection of its own, not returned to the pool while it listens: a pooled one would be handed to a query.
        NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            connection.Notification += (_, e) => onNotification(e.Payload);
            // The channel is one of Burrow's constant names; LISTEN takes no parameter.
            await Ado.ExecuteAsync(connection, "LISTEN " + channel, null, cancellationToken).ConfigureAwait(false);
            onListening();
            while (true)
            {
                await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public override bool IsForeignKeyViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation };

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private sealed class Unlock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@id)", new { id = MigrationLockId }).ConfigureAwait(false);
            }
        }
    }
}

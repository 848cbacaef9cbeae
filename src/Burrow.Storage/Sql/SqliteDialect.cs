using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Burrow.Storage.Sql;

/// <summary>An SQLite file in WAL mode, with foreign keys enforced on every connection.</summary>
internal sealed class SqliteDialect : SqlDialect
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintForeignKey = 787;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    private readonly string _connectionString;
    private readonly string _path;
    // SQLite has one writer at a time. Writers of this process queue here, in order, instead of
    // all spinning on SQLITE_BUSY, where a loaded machine starved some past their timeout.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public SqliteDialect(string path)
    {
        _path = Path.GetFullPath(path);
        if (!File.Exists(_path) && !OperatingSystem.IsWindows())
        {
            // Hashes, names and agents' addresses are nobody else's business: owner-only, like the
            // edge's keys. SQLite gives its -wal and -shm files the same mode.
            using var created = new FileStream(_path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            Pooling = true,
            // A writer waits this long for another (another edge process, a backup) before failing.
            DefaultTimeout = 30,
        }.ToString();
    }

    public override StoreKind Kind => StoreKind.Sqlite;

    public override string Description => _path;

    public override string MigrationFolder => "sqlite";

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    public override async ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Release(_writeGate);
    }

    public override async Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // WAL lets readers (token checks) go on while a writer commits; the mode is kept in the file.
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // Microsoft.Data.Sqlite begins IMMEDIATE unless deferred is asked for, so two migrators queue rather than deadlock.
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    public override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteConstraintUnique or SqliteConstraintPrimaryKey };

    public override bool IsForeignKeyViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteConstraintForeignKey };

    public override ValueTask DisposeAsync()
    {
        _writeGate.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}

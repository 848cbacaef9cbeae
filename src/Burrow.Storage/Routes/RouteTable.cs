using System.Globalization;
using Burrow.Storage.Sql;
using Npgsql;

namespace Burrow.Storage.Routes;

/// <summary>
/// The cluster's <c>routes</c> table in PostgreSQL (migration 0006): claimed at bind, released at unbind, every change
/// announced with <c>NOTIFY burrow_routes</c> (payload: the route key) in its own transaction, so a node that follows
/// the channel (<see cref="OpenListenerAsync"/>) and reloads the key it names is never behind a committed change.
/// Plain Npgsql commands rather than Dapper: a handful of statements, and the listener needs the raw connection anyway.
/// </summary>
public sealed class RouteTable : IAsyncDisposable
{
    /// <summary>The channel of route changes; the payload is the route key.</summary>
    public const string RoutesChannel = "burrow_routes";

    /// <summary>The channel of authtoken revocations (a trigger of migration 0006); the payload is the authtoken id.</summary>
    public const string RevocationsChannel = "burrow_revocations";

    // Keys a per-key transaction lock (pg_advisory_xact_lock's two-int form): the first int names the lock space, so
    // route locks never collide with the migration lock or anyone else's.
    private const int LockSpace = 0x726f7574; // "rout"

    private const string Columns = "route_key, node, tunnel_id, session_id, agent_id, account_id, authtoken_id, proto, pooled, bound_at";

    /// <summary>The routes' pool unless the connection string sets one: one write per bind and unbind, and the listener.</summary>
    public const int DefaultMaxPoolSize = 10;

    private readonly NpgsqlDataSource _dataSource;

    private RouteTable(NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
    }

    /// <summary>
    /// The routes table of the PostgreSQL database <paramref name="database"/> (a <c>postgres://</c> URL or a connection
    /// string, as <c>--database</c> takes); <see langword="null"/> for SQLite, which cannot carry a cluster.
    /// </summary>
    public static RouteTable? ForDatabase(string? database)
    {
        if (PostgresAddress(database) is not { } builder)
        {
            return null;
        }

        // A cut connection must be noticed within seconds, not at the OS's TCP timeout: the listener relies on it.
        builder.KeepAlive = 5;
        builder.Timeout = Math.Min(builder.Timeout, 5);
        return new RouteTable(NpgsqlDataSource.Create(DatabaseAddress.CapPool(builder, DefaultMaxPoolSize)));
    }

    /// <summary>Whether <paramref name="database"/> names a PostgreSQL database, the only kind that can carry a cluster.</summary>
    public static bool CanCarry(string? database) => PostgresAddress(database) is not null;

    private static NpgsqlConnectionStringBuilder? PostgresAddress(string? database)
    {
        string value = database?.Trim() ?? "";
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return DatabaseAddress.FromUrl(value);
        }

        return value.Contains('=', StringComparison.Ordinal) && !value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase)
            ? new NpgsqlConnectionStringBuilder(value)
            : null;
    }

    /// <summary>
    /// Writes <paramref name="row"/> unless another agent holds its key and pooling does not allow a second one
    /// (<see cref="RouteRow.MayJoin"/>). The check and the write hold the key's transaction lock, so two nodes racing
    /// for one hostname leave exactly one owner. Returns what was found, and the row in the way when taken.
    /// </summary>
    /// <exception cref="StoreException">The database cannot be reached.</exception>
    public Task<(RouteClaim Claim, RouteRow? Holder)> ClaimAsync(RouteRow row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        return RunAsync(async connection =>
        {
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var lockKey = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@space, hashtext(@key))", connection, transaction))
            {
                lockKey.Parameters.AddWithValue("space", LockSpace);
                lockKey.Parameters.AddWithValue("key", row.Key);
                await lockKey.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            List<RouteRow> existing = await ReadAsync(connection, transaction, "WHERE route_key = @key", row.Key, cancellationToken).ConfigureAwait(false);
            // The row itself (a retried claim, a re-assertion) is no conflict.
            existing.RemoveAll(r => r.Node == row.Node && r.TunnelId == row.TunnelId);
            if (!row.MayJoin(existing))
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return (RouteClaim.Taken, (RouteRow?)existing.First(r => !r.SameAgentAs(row)));
            }

            await using (var insert = new NpgsqlCommand(
                $"INSERT INTO routes ({Columns}) VALUES (@key, @node, @tunnel, @session, @agent, @account, @token, @proto, @pooled, @at) "
                + "ON CONFLICT (route_key, node, tunnel_id) DO UPDATE SET session_id = EXCLUDED.session_id, agent_id = EXCLUDED.agent_id, "
                + "account_id = EXCLUDED.account_id, authtoken_id = EXCLUDED.authtoken_id, proto = EXCLUDED.proto, pooled = EXCLUDED.pooled, bound_at = EXCLUDED.bound_at; "
                + "SELECT pg_notify(@channel, @key)", connection, transaction))
            {
                insert.Parameters.AddWithValue("key", row.Key);
                insert.Parameters.AddWithValue("node", row.Node);
                insert.Parameters.AddWithValue("tunnel", row.TunnelId);
                insert.Parameters.AddWithValue("session", row.SessionId);
                insert.Parameters.AddWithValue("agent", row.AgentId);
                insert.Parameters.AddWithValue("account", (object?)row.AccountId ?? DBNull.Value);
                insert.Parameters.AddWithValue("token", (object?)row.AuthtokenId ?? DBNull.Value);
                insert.Parameters.AddWithValue("proto", row.Proto);
                insert.Parameters.AddWithValue("pooled", row.Pooled);
                insert.Parameters.AddWithValue("at", row.BoundAt.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("channel", RoutesChannel);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return (RouteClaim.Claimed, (RouteRow?)null);
        }, cancellationToken);
    }

    /// <summary>Deletes one tunnel's row (unbind, session closed); no row is no error.</summary>
    /// <exception cref="StoreException">The database cannot be reached.</exception>
    public Task ReleaseAsync(string key, string node, string tunnelId, CancellationToken cancellationToken) =>
        RunAsync(async connection =>
        {
            await using var delete = new NpgsqlCommand(
                "WITH gone AS (DELETE FROM routes WHERE route_key = @key AND node = @node AND tunnel_id = @tunnel RETURNING route_key) "
                + "SELECT pg_notify(@channel, route_key) FROM gone", connection);
            delete.Parameters.AddWithValue("key", key);
            delete.Parameters.AddWithValue("node", node);
            delete.Parameters.AddWithValue("tunnel", tunnelId);
            delete.Parameters.AddWithValue("channel", RoutesChannel);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    /// <summary>
    /// Deletes the rows of every node not in <paramref name="liveNodes"/> (their lease ran out: whichever node notices
    /// first does it, the others find nothing left). Returns how many rows went.
    /// </summary>
    /// <exception cref="StoreException">The database cannot be reached.</exception>
    public Task<int> DeleteNodesOtherThanAsync(IReadOnlyCollection<string> liveNodes, CancellationToken cancellationToken) =>
        RunAsync(connection => DeleteAsync(connection, "node <> ALL(@nodes)", [.. liveNodes], cancellationToken), cancellationToken);

    /// <summary>Deletes every row of <paramref name="node"/> (its start, or before it asserts its rows again).</summary>
    /// <exception cref="StoreException">The database cannot be reached.</exception>
    public Task<int> DeleteNodeAsync(string node, CancellationToken cancellationToken) =>
        RunAsync(connection => DeleteAsync(connection, "node = ANY(@nodes)", [node], cancellationToken), cancellationToken);

    /// <summary>The whole table.</summary>
    /// <exception cref="StoreException">The database cannot be reached.</exception>
    public Task<List<RouteRow>> LoadAllAsync(CancellationToken cancellationToken) =>
        RunAsync(connection => ReadAsync(connection, null, "", null, cancellationToken), cancellationToken);

    /// <summary>The rows of one key.</summary>
    /// <exception cref="StoreException">The database cannot be reached.</exception>
    public Task<List<RouteRow>> LoadKeyAsync(string key, CancellationToken cancellationToken) =>
        RunAsync(connection => ReadAsync(connection, null, "WHERE route_key = @key", key, cancellationToken), cancellationToken);

    /// <summary>
    /// A dedicated connection listening on <paramref name="channels"/>: read its notifications with
    /// <see cref="TableListener.WaitAsync"/>; a failure of that connection is a <see cref="StoreException"/>.
    /// </summary>
    /// <exception cref="StoreException">The database cannot be reached.</exception>
    public Task<TableListener> OpenListenerAsync(IReadOnlyList<string> channels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channels);
        return Wrap(async () =>
        {
            NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                foreach (string channel in channels)
                {
                    // Channel names are this class's constants, never user input: quoted as identifiers all the same.
                    await using var listen = new NpgsqlCommand($"LISTEN \"{channel.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
                    await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                return new TableListener(connection);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        });
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static async Task<int> DeleteAsync(NpgsqlConnection connection, string where, string[] nodes, CancellationToken cancellationToken)
    {
        await using var delete = new NpgsqlCommand(
            $"WITH gone AS (DELETE FROM routes WHERE {where} RETURNING route_key), "
            + "told AS (SELECT pg_notify(@channel, k) FROM (SELECT DISTINCT route_key AS k FROM gone) keys) "
            + "SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM told)", connection);
        delete.Parameters.AddWithValue("nodes", nodes);
        delete.Parameters.AddWithValue("channel", RoutesChannel);
        object? count = await delete.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt32(count, CultureInfo.InvariantCulture);
    }

    private static async Task<List<RouteRow>> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string where, string? key, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand($"SELECT {Columns} FROM routes {where}", connection, transaction);
        if (key is not null)
        {
            select.Parameters.AddWithValue("key", key);
        }

        var rows = new List<RouteRow>();
        await using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new RouteRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7),
                reader.GetBoolean(8), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9))));
        }

        return rows;
    }

    private Task<T> RunAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken) =>
        Wrap(async () =>
        {
            NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                return await work(connection).ConfigureAwait(false);
            }
        });

    private static async Task<T> Wrap<T>(Func<Task<T>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new StoreException(StoreErrorKind.Unavailable, $"The cluster's routes table cannot be reached: {ex.Message}", ex);
        }
    }
}

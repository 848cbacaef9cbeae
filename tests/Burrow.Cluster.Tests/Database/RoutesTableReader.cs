using Burrow.Cluster.Tests.Harness;
using Burrow.Storage.Tests.Harness;
using Npgsql;

namespace Burrow.Cluster.Tests.Database;

/// <summary>The cluster's routes table read (and changed, as another node would) straight in PostgreSQL.</summary>
internal sealed class RoutesTableReader(string connectionString)
{
    /// <summary>The routes table of <paramref name="cluster"/>'s database on <paramref name="postgres"/>.</summary>
    public static RoutesTableReader Of(PostgresServer postgres, ClusterHarness cluster) =>
        new(postgres.ConnectionString(new Uri(cluster.DatabaseUrl).AbsolutePath.Trim('/')));

    /// <summary>The nodes the table lists for <paramref name="key"/>, in order.</summary>
    public async Task<List<string>> NodesOfAsync(string key)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT node FROM routes WHERE route_key = @key ORDER BY node", connection);
        select.Parameters.AddWithValue("key", key);
        var nodes = new List<string>();
        await using NpgsqlDataReader reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            nodes.Add(reader.GetString(0));
        }

        return nodes;
    }

    /// <summary>Every row as <c>key on node</c>, for a failing test's output.</summary>
    public async Task<List<string>> AllAsync()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT route_key, node FROM routes ORDER BY route_key, node", connection);
        var rows = new List<string>();
        await using NpgsqlDataReader reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add($"{reader.GetString(0)} on {reader.GetString(1)}");
        }

        return rows;
    }

    /// <summary>Deletes <paramref name="node"/>'s rows with the NOTIFY a node sends when it counts another gone.</summary>
    public async Task DeleteNodeAsync(string node)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var delete = new NpgsqlCommand(
            "WITH gone AS (DELETE FROM routes WHERE node = @node RETURNING route_key) SELECT pg_notify('burrow_routes', route_key) FROM gone", connection);
        delete.Parameters.AddWithValue("node", node);
        await delete.ExecuteNonQueryAsync();
    }
}

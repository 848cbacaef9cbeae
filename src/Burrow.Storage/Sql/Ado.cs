using System.Data.Common;
using System.Globalization;

namespace Burrow.Storage.Sql;

/// <summary>
/// Statements without parameters, on plain ADO.NET. Dapper.AOT (1.1.0) intercepts these too, but
/// for a statement with no parameter it drops the cancellation token passed in the parameter object
/// (its generated command factory has no <c>GetCancellationToken</c> then).
/// </summary>
internal static class Ado
{
    public static async Task<int> ExecuteAsync(DbConnection connection, string sql, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        DbCommand command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = sql;
            command.Transaction = transaction;
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task<long> ScalarInt64Async(DbConnection connection, string sql, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        DbCommand command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = sql;
            command.Transaction = transaction;
            object? value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is null or DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
        }
    }

    public static async Task<List<T>> QueryAsync<T>(DbConnection connection, string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        DbCommand command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = sql;
            var rows = new List<T>();
            DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(read(reader));
                }
            }

            return rows;
        }
    }
}

using Burrow.Storage;
using Burrow.Storage.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Store;

/// <summary>The --database of an edge under test, and the same store opened by the test as an admin tool would.</summary>
internal static class StoreKinds
{
    public static TheoryData<StoreKind> Both => new(StoreKind.Sqlite, StoreKind.Postgres);

    /// <summary>Extra edge arguments for a new database of the kind (SQLite: the default file in the data directory).</summary>
    public static async Task<(string? Database, string[] Args)> NewAsync(StoreKind kind, PostgresServer postgres)
    {
        if (kind == StoreKind.Sqlite)
        {
            return (null, []);
        }

        string connection = await postgres.CreateDatabaseAsync();
        string url = postgres.Url(new Npgsql.NpgsqlConnectionStringBuilder(connection).Database!);
        return (url, ["--database", url]);
    }

    public static Task<IControlStore> OpenAsync(string? database, string dataDir) =>
        ControlStore.OpenAsync(new StoreOptions { Database = database, DataDirectory = dataDir });

    /// <summary>Waits for an audit event the edge writes in the background.</summary>
    public static async Task<AuditEvent> WaitForAuditAsync(IControlStore store, Func<AuditEvent, bool> match, string what)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var events = await store.QueryAuditEventsAsync(new AuditQuery { Limit = 1000 });
            if (events.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"no {what} audit event; have: {string.Join("; ", events.Select(e => $"{e.Kind} {e.Subject} {e.Detail}"))}");
            }

            await Task.Delay(200);
        }
    }
}

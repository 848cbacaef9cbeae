namespace Burrow.Storage.Tests.Harness;

/// <summary>Opens a fresh store of either kind: SQLite in a temp directory, PostgreSQL in a new database of the shared server.</summary>
public static class TestStores
{
    public static TheoryData<StoreKind> Kinds => new(StoreKind.Sqlite, StoreKind.Postgres);

    /// <summary>The <c>--database</c> value of a new, empty database of the kind.</summary>
    public static async Task<(string? Database, string DataDirectory)> NewDatabaseAsync(StoreKind kind, PostgresServer postgres)
    {
        string dir = Directory.CreateTempSubdirectory("burrow-store-").FullName;
        return kind == StoreKind.Sqlite ? (null, dir) : (await postgres.CreateDatabaseAsync(), dir);
    }

    public static async Task<IControlStore> OpenAsync(StoreKind kind, PostgresServer postgres, TimeProvider? time = null)
    {
        var (database, dir) = await NewDatabaseAsync(kind, postgres);
        return await ControlStore.OpenAsync(new StoreOptions { Database = database, DataDirectory = dir, Time = time ?? TimeProvider.System, SealingKey = NewSealingKey() });
    }

    /// <summary>A random store key, as an edge keeps in its data directory.</summary>
    public static Func<byte[]> NewSealingKey()
    {
        byte[] key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        return () => key;
    }
}

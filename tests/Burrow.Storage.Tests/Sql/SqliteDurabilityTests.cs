using Burrow.Storage.Sql;
using Dapper;

namespace Burrow.Storage.Tests.Sql;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SqliteDurabilityTests
{
    [Fact]
    public async Task The_sqlite_store_is_in_wal_mode_with_full_sync_and_foreign_keys_and_owner_only()
    {
        string dir = Directory.CreateTempSubdirectory("burrow-durable-").FullName;
        await (await ControlStore.OpenAsync(new StoreOptions { DataDirectory = dir })).DisposeAsync();
        await using SqlDialect dialect = DatabaseAddress.Parse(null, dir);
        await using var connection = await dialect.OpenAsync(CancellationToken.None);

        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        // FULL (2): a commit survives a power cut too, not only a crash of the edge.
        Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("PRAGMA synchronous"));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "burrow.db")));
    }
}

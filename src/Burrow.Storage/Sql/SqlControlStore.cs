namespace Burrow.Storage.Sql;

/// <summary>The SQL implementation of <see cref="IControlStore"/> (in progress).</summary>
internal static class SqlControlStore
{
    public static Task<IControlStore> OpenAsync(StoreOptions options, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The SQL store is being written.");
}

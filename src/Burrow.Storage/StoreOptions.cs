namespace Burrow.Storage;

/// <summary>How to open a control store.</summary>
public sealed record StoreOptions
{
    /// <summary>The file name of the default SQLite database inside the data directory.</summary>
    public const string DefaultSqliteFileName = "burrow.db";

    /// <summary>
    /// The database: <see langword="null"/> or empty for <c>burrow.db</c> in <see cref="DataDirectory"/>;
    /// a <c>postgres://</c> or <c>postgresql://</c> URL, or a key=value connection string with a
    /// <c>Host</c>, for PostgreSQL; a <c>sqlite:</c> prefixed or plain file path for SQLite.
    /// </summary>
    public string? Database { get; init; }

    /// <summary>Where the default SQLite file goes.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The clock for created/revoked times and expiry. Default the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Gives the 32-byte key private keys (ACME accounts, certificates) are sealed with before they are stored; called
    /// once, when the first one is sealed or opened. Every edge sharing a database needs the same key. Without one the
    /// store keeps no private keys (<see cref="StoreErrorKind.Invalid"/>).
    /// </summary>
    public Func<byte[]>? SealingKey { get; init; }
}

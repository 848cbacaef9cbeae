namespace Burrow.Storage;

/// <summary>Why a store operation failed.</summary>
public enum StoreErrorKind
{
    /// <summary>The database cannot be reached or answered with an error (ERR_BURROW_5003).</summary>
    Unavailable,

    /// <summary>Bringing the schema up to date failed, or the database is newer than this build (ERR_BURROW_5004).</summary>
    MigrationFailed,

    /// <summary>A unique value (account name, reserved hostname or port) is taken already.</summary>
    Conflict,

    /// <summary>A row the operation refers to (usually the account) does not exist.</summary>
    NotFound,

    /// <summary>An argument is not acceptable (an empty name, a port out of range, a malformed database address).</summary>
    Invalid,

    /// <summary>A sealed private key does not open with this store's sealing key (another key sealed it), or is malformed (ERR_BURROW_5210).</summary>
    CannotUnseal,
}

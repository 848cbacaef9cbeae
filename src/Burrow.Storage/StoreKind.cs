namespace Burrow.Storage;

/// <summary>The database behind an <see cref="IControlStore"/>.</summary>
public enum StoreKind
{
    /// <summary>An embedded SQLite file (WAL mode), the default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server, shared by several edges if wanted.</summary>
    Postgres,
}

namespace Burrow.Storage;

/// <summary>A store operation failed; <see cref="Kind"/> says why. Messages never contain secrets.</summary>
public sealed class StoreException : Exception
{
    /// <summary>Creates an exception of a kind.</summary>
    public StoreException(StoreErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>Creates an <see cref="StoreErrorKind.Unavailable"/> exception.</summary>
    public StoreException()
        : this(StoreErrorKind.Unavailable, "The store failed.")
    {
    }

    /// <summary>Creates an <see cref="StoreErrorKind.Unavailable"/> exception.</summary>
    public StoreException(string message)
        : this(StoreErrorKind.Unavailable, message)
    {
    }

    /// <summary>Creates an <see cref="StoreErrorKind.Unavailable"/> exception.</summary>
    public StoreException(string message, Exception innerException)
        : this(StoreErrorKind.Unavailable, message, innerException)
    {
    }

    /// <summary>Why the operation failed.</summary>
    public StoreErrorKind Kind { get; }
}

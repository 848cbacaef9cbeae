namespace Burrow.Mux.Errors;

/// <summary>A multiplexer failure. <see cref="Error"/> says which, so nobody matches on message text.</summary>
public class MuxException : IOException
{
    /// <summary>Creates an exception for <paramref name="error"/>.</summary>
    public MuxException(MuxError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>What went wrong.</summary>
    public MuxError Error { get; }
}

namespace Burrow.Mux.Muxado;

/// <summary>
/// A muxado stream or session failure. <see cref="Code"/> says which, so nobody matches on
/// message text; <see cref="IsRemote"/> says whether the peer sent it (RST or GOAWAY) or this side
/// decided it.
/// </summary>
public class MuxadoException : IOException
{
    /// <summary>Creates a failure with a muxado code.</summary>
    /// <param name="code">The muxado code, or null when the failure has none.</param>
    /// <param name="message">A sentence for logs and people.</param>
    /// <param name="innerException">The failure behind it, if any.</param>
    /// <param name="isRemote">True when the code came from the peer.</param>
    public MuxadoException(MuxadoErrorCode? code, string message, Exception? innerException = null, bool isRemote = false)
        : base(message, innerException)
    {
        Code = code;
        IsRemote = isRemote;
    }

    /// <summary>The muxado error code, when the failure has one.</summary>
    public MuxadoErrorCode? Code { get; }

    /// <summary>True when the peer sent the code (a reset or a GOAWAY); false when this side decided it.</summary>
    public bool IsRemote { get; }
}

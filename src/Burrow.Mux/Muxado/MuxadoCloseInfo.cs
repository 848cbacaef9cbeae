namespace Burrow.Mux.Muxado;

/// <summary>How and why a muxado session ended, as reported by <see cref="MuxadoSession.Completion"/>.</summary>
/// <param name="Reason">A sentence for logs and people.</param>
/// <param name="RemoteGoAwayCode">The code of the peer's GOAWAY, when the peer ended the session with one.</param>
/// <param name="Exception">The failure behind the end (a transport error, a protocol violation), when there was one.</param>
public sealed record MuxadoCloseInfo(string Reason, MuxadoErrorCode? RemoteGoAwayCode = null, Exception? Exception = null)
{
    /// <summary>The code of the GOAWAY this side sent, when it sent one.</summary>
    public MuxadoErrorCode? LocalGoAwayCode { get; init; }

    /// <summary>The debug text of the peer's GOAWAY (at most 1 KiB of it), when it had any.</summary>
    public string? RemoteGoAwayDebug { get; init; }

    /// <inheritdoc />
    public override string ToString() => Reason;
}

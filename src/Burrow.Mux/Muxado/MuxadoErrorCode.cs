namespace Burrow.Mux.Muxado;

/// <summary>
/// The error codes muxado carries in RST and GOAWAY frames (the u32 after the header). The
/// numbering is muxado's own (inconshreveable/muxado <c>errors.go</c>, ngrok-rust
/// <c>muxado/src/errors.rs</c>): both implementations agree on every value below.
/// </summary>
public enum MuxadoErrorCode : uint
{
    /// <summary>No error: a normal close.</summary>
    NoError = 0,

    /// <summary>The peer broke the protocol (a malformed or impossible frame).</summary>
    ProtocolError = 1,

    /// <summary>The sender failed internally.</summary>
    InternalError = 2,

    /// <summary>The peer sent more data than the stream's window allowed.</summary>
    FlowControlError = 3,

    /// <summary>A frame arrived for a stream that is closed or was never opened.</summary>
    StreamClosed = 4,

    /// <summary>The receiver refused a new stream (it is going away, or at its stream limit).</summary>
    StreamRefused = 5,

    /// <summary>The stream was given up by its owner (what <see cref="MuxadoStream.Abort()"/> sends).</summary>
    StreamCancelled = 6,

    /// <summary>The stream was reset.</summary>
    StreamReset = 7,

    /// <summary>A frame's length is impossible for its type, or larger than the receiver accepts.</summary>
    FrameSizeError = 8,

    /// <summary>The receiver refused a new stream because nobody accepted the ones before it.</summary>
    AcceptQueueFull = 9,

    /// <summary>The peer is sending too much (here: provoking more replies than it reads).</summary>
    EnhanceYourCalm = 10,

    /// <summary>The peer sent GOAWAY: the session is over.</summary>
    RemoteGoneAway = 11,

    /// <summary>No stream id (or no slot under the stream limit) is left to open a stream with.</summary>
    StreamsExhausted = 12,

    /// <summary>A write did not finish in time.</summary>
    WriteTimeout = 13,

    /// <summary>The session is closed.</summary>
    SessionClosed = 14,

    /// <summary>The peer closed the transport.</summary>
    PeerEOF = 15,
}

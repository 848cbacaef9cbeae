using Burrow.Mux.Sessions;

namespace Burrow.Mux.Errors;

/// <summary>What went wrong, for callers that branch on failures without reading messages.</summary>
public enum MuxError
{
    /// <summary>The session has ended; see <see cref="MuxSession.Completion"/> for why.</summary>
    SessionClosed,

    /// <summary>The peer reset the stream (RST).</summary>
    StreamResetByPeer,

    /// <summary>This side aborted the stream (RST), or cancelled an operation on it.</summary>
    StreamAborted,

    /// <summary>The stream's write side was already completed (FIN sent).</summary>
    WritesCompleted,

    /// <summary>The peer sent Go Away: it accepts no new streams.</summary>
    RemoteGoingAway,

    /// <summary>This side sent Go Away: it opens no new streams.</summary>
    LocalGoingAway,

    /// <summary>The configured maximum of concurrent streams is reached.</summary>
    TooManyStreams,

    /// <summary>All 2^31 stream ids of this side were used.</summary>
    StreamIdsExhausted,

    /// <summary>The peer did not acknowledge a new stream in time.</summary>
    OpenTimeout,

    /// <summary>A frame broke the yamux protocol; the session ends with Go Away (protocol error).</summary>
    ProtocolError,

    /// <summary>The peer stopped answering keepalive pings in time.</summary>
    KeepAliveTimeout,

    /// <summary>The session is closing gracefully (<see cref="MuxSession.CloseAsync"/>): queued data still leaves, new writes are refused.</summary>
    SessionClosing,
}

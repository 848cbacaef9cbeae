namespace Burrow.Mux.Sessions;

/// <summary>Why a session ended.</summary>
public enum MuxCloseReason
{
    /// <summary>This side closed or disposed the session.</summary>
    LocalClose,

    /// <summary>The transport reached end of stream: the peer closed the connection.</summary>
    TransportClosed,

    /// <summary>Reading or writing the transport failed.</summary>
    TransportError,

    /// <summary>The peer sent Go Away with an error code.</summary>
    RemoteGoAway,

    /// <summary>The peer broke the protocol; this side sent Go Away (protocol error).</summary>
    ProtocolError,

    /// <summary>The peer did not answer a keepalive ping within the timeout.</summary>
    KeepAliveTimeout,

    /// <summary>This side failed internally (for example the peer stopped reading and the send queue overflowed).</summary>
    InternalError,
}

namespace Burrow.Mux.Frames;

/// <summary>The yamux frame types (spec version 0). The header's second byte.</summary>
public enum FrameType : byte
{
    /// <summary>Carries stream payload; Length is the payload size.</summary>
    Data = 0,

    /// <summary>Adds Length bytes to the peer's send window; also carries SYN/ACK/FIN/RST without payload.</summary>
    WindowUpdate = 1,

    /// <summary>Keepalive and RTT probe on stream 0; SYN asks, ACK answers with the same opaque Length.</summary>
    Ping = 2,

    /// <summary>Session termination on stream 0; Length is a <see cref="GoAwayCode"/>.</summary>
    GoAway = 3,
}

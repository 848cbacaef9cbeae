namespace Burrow.Mux.Muxado;

/// <summary>
/// The muxado flags: the low nibble of the header's fourth byte, meaningful on DATA frames only.
/// (ngrok-rust's PROTOCOL.md gives SYN as 0x10; both implementations and the wire use 0x2.)
/// </summary>
[Flags]
#pragma warning disable CA1711 // Muxado names this header field "flags"; the type keeps the protocol's word.
internal enum MuxadoFrameFlags : byte
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>The sender will send nothing more on this stream (half-close).</summary>
    Fin = 0x1,

    /// <summary>This frame opens the stream.</summary>
    Syn = 0x2,
}
#pragma warning restore CA1711

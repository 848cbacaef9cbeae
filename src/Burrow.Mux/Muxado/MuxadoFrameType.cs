namespace Burrow.Mux.Muxado;

/// <summary>The muxado frame types: the high nibble of the header's fourth byte. Values 4-15 are not defined.</summary>
internal enum MuxadoFrameType : byte
{
    /// <summary>Resets one stream; payload is a u32 <see cref="MuxadoErrorCode"/> (length exactly 4).</summary>
    Rst = 0,

    /// <summary>Stream bytes; SYN opens the stream (and may carry its first bytes), FIN half-closes it.</summary>
    Data = 1,

    /// <summary>Gives the sender of the stream more window; payload is a u32 increment (31 bits, never 0; length exactly 4).</summary>
    WndInc = 2,

    /// <summary>Ends the session, on stream 0; payload is u32 last stream id, u32 code, then debug bytes (length at least 8).</summary>
    GoAway = 3,
}

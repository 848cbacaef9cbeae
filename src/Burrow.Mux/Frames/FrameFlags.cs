namespace Burrow.Mux.Frames;

/// <summary>The yamux frame flags, a 16-bit big-endian bitmask.</summary>
[Flags]
#pragma warning disable CA1711 // The yamux spec names this header field "Flags"; the type keeps the spec's word.
public enum FrameFlags : ushort
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>Opens a stream, or marks a ping request.</summary>
    Syn = 0x1,

    /// <summary>Accepts a stream, or marks a ping reply.</summary>
    Ack = 0x2,

    /// <summary>Half-closes the sender's direction of a stream.</summary>
    Fin = 0x4,

    /// <summary>Aborts a stream in both directions.</summary>
    Rst = 0x8,
}
#pragma warning restore CA1711

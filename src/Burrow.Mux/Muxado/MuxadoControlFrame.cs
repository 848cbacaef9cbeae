using System.Buffers.Binary;

namespace Burrow.Mux.Muxado;

/// <summary>
/// A frame the session queues for its writer ahead of stream data: RST or WNDINC, both a header
/// plus one u32. Queued as a value so sending one allocates nothing.
/// </summary>
internal readonly record struct MuxadoControlFrame(MuxadoFrameType Type, uint StreamId, uint Value)
{
    /// <summary>Encoded size: header and the u32 payload.</summary>
    public const int Size = MuxadoFrameHeader.Size + 4;

    public static MuxadoControlFrame Reset(uint streamId, MuxadoErrorCode code) => new(MuxadoFrameType.Rst, streamId, (uint)code);

    public static MuxadoControlFrame WindowIncrement(uint streamId, uint increment) => new(MuxadoFrameType.WndInc, streamId, increment);

    public void WriteTo(Span<byte> destination)
    {
        new MuxadoFrameHeader(Type, MuxadoFrameFlags.None, StreamId, 4).WriteTo(destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[MuxadoFrameHeader.Size..], Value);
    }
}

using System.Buffers;
using System.Buffers.Binary;

namespace Burrow.Mux.Muxado;

/// <summary>
/// The 8-byte muxado frame header, two big-endian u32 words:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-----------------------------------------------+-------+-------+
/// |              Length (24 bits)                 | Type  | Flags |
/// +-+---------------------------------------------+-------+-------+
/// |R|                 Stream ID (31 bits)                          |
/// +-+-------------------------------------------------------------+
/// </code>
/// Length counts the payload that follows; every type has one (RST 4, WNDINC 4, GOAWAY 8 + debug,
/// DATA any). R is reserved: written as 0, ignored on read, as both muxado implementations do.
/// </summary>
internal readonly record struct MuxadoFrameHeader(MuxadoFrameType Type, MuxadoFrameFlags Flags, uint StreamId, int Length)
{
    /// <summary>Size of an encoded header.</summary>
    public const int Size = 8;

    /// <summary>The largest length the 24-bit field holds.</summary>
    public const int MaxLength = 0xFF_FFFF;

    /// <summary>Stream ids are 31 bits; the top bit of the second word is reserved.</summary>
    public const uint StreamIdMask = 0x7FFF_FFFF;

    /// <summary>Window increments are 31 bits too (muxado masks the top bit).</summary>
    public const uint WindowIncrementMask = 0x7FFF_FFFF;

    /// <summary>Payload of an RST frame: the error code.</summary>
    public const int RstLength = 4;

    /// <summary>Payload of a WNDINC frame: the increment.</summary>
    public const int WndIncLength = 4;

    /// <summary>Fixed part of a GOAWAY payload: last stream id and error code; debug bytes follow.</summary>
    public const int GoAwayFixedLength = 8;

    /// <summary>Encodes this header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        var first = ((uint)Length << 8) | ((uint)Type << 4) | ((uint)Flags & 0xF);
        BinaryPrimitives.WriteUInt32BigEndian(destination, first);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StreamId & StreamIdMask);
    }

    /// <summary>Decodes a header from the start of <paramref name="buffer"/> without consuming it; false while fewer than <see cref="Size"/> bytes are there.</summary>
    public static bool TryRead(in ReadOnlySequence<byte> buffer, out MuxadoFrameHeader header)
    {
        if (buffer.Length < Size)
        {
            header = default;
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        buffer.Slice(0, Size).CopyTo(bytes);
        header = Read(bytes);
        return true;
    }

    /// <summary>
    /// Decodes a header from the first <see cref="Size"/> bytes. Any type nibble decodes (the
    /// session decides what an undefined one means); the reserved bit is dropped.
    /// </summary>
    public static MuxadoFrameHeader Read(ReadOnlySpan<byte> bytes)
    {
        var first = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return new MuxadoFrameHeader(
            (MuxadoFrameType)((first >> 4) & 0xF),
            (MuxadoFrameFlags)(first & 0xF),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]) & StreamIdMask,
            (int)(first >> 8));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type} flags={Flags} stream={StreamId} length={Length}";
}

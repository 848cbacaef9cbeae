using System.Buffers;
using System.Buffers.Binary;
using Burrow.Mux.Errors;

namespace Burrow.Mux.Frames;

/// <summary>
/// The 12-byte yamux frame header. Every field is big-endian:
/// <code>
///  0       1       2               4                               8                              12
///  +-------+-------+---------------+-------------------------------+-------------------------------+
///  |Version| Type  |     Flags     |           Stream ID           |            Length             |
///  +-------+-------+---------------+-------------------------------+-------------------------------+
/// </code>
/// Length is the payload size for Data, the window delta for Window Update, the opaque value for
/// Ping and the code for Go Away. Only Data frames are followed by a payload.
/// </summary>
public readonly record struct FrameHeader(FrameType Type, FrameFlags Flags, uint StreamId, uint Length)
{
    /// <summary>The only protocol version yamux defines.</summary>
    public const byte ProtocolVersion = 0;

    /// <summary>Size of an encoded header: version 1 + type 1 + flags 2 + stream id 4 + length 4.</summary>
    public const int Size = 12;

    private const int TypeOffset = 1;
    private const int FlagsOffset = 2;
    private const int StreamIdOffset = 4;
    private const int LengthOffset = 8;

    /// <summary>Encodes this header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        destination = destination[..Size];
        destination[0] = ProtocolVersion;
        destination[TypeOffset] = (byte)Type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[FlagsOffset..], (ushort)Flags);
        BinaryPrimitives.WriteUInt32BigEndian(destination[StreamIdOffset..], StreamId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[LengthOffset..], Length);
    }

    /// <summary>
    /// Decodes a header from the start of <paramref name="buffer"/> without consuming it.
    /// Returns false when fewer than <see cref="Size"/> bytes are there yet. Throws
    /// <see cref="MuxProtocolException"/> for a version or type yamux does not define.
    /// </summary>
    public static bool TryRead(in ReadOnlySequence<byte> buffer, out FrameHeader header)
    {
        if (buffer.Length < Size)
        {
            header = default;
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        buffer.Slice(0, Size).CopyTo(bytes);
        return TryRead(bytes, out header);
    }

    /// <summary>Decodes a header from a span holding at least <see cref="Size"/> bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out FrameHeader header)
    {
        if (bytes.Length < Size)
        {
            header = default;
            return false;
        }

        if (bytes[0] != ProtocolVersion)
        {
            throw new MuxProtocolException(GoAwayCode.ProtocolError, $"unsupported yamux version {bytes[0]}");
        }

        var type = (FrameType)bytes[TypeOffset];
        if (type > FrameType.GoAway)
        {
            throw new MuxProtocolException(GoAwayCode.ProtocolError, $"unknown frame type {bytes[TypeOffset]}");
        }

        header = new FrameHeader(
            type,
            (FrameFlags)BinaryPrimitives.ReadUInt16BigEndian(bytes[FlagsOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[StreamIdOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[LengthOffset..]));
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type} flags={Flags} stream={StreamId} length={Length}";
}

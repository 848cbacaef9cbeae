using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Burrow.Edge.Limits;

namespace Burrow.Edge.Cluster;

/// <summary>
/// The frames of a <see cref="RouteStreamKind.RateCounts"/> stream: a big-endian u32 length, then counts, each a u16
/// key length and UTF-8 key, the window (u32 milliseconds, u8 segments), the segment (i64, numbered from the epoch,
/// see <see cref="WindowShape"/>) and the count (u32).
/// </summary>
internal static class RateCountFrames
{
    /// <summary>The largest frame read or written; a writer splits its counts into frames below it.</summary>
    public const int MaxPayload = 256 * 1024;

    // A bucket key is a policy's prefix and the bucket_key values; longer ones are not shared.
    private const int MaxKey = 4096;

    private const int Fixed = 2 + 4 + 1 + 8 + 4;

    /// <summary>Writes <paramref name="counts"/> as frames into <paramref name="into"/>.</summary>
    public static void Write(List<SharedCount> counts, ArrayBufferWriter<byte> into)
    {
        int frameStart = -1;
        foreach (SharedCount count in counts)
        {
            int keyBytes = Encoding.UTF8.GetByteCount(count.Key);
            if (keyBytes > MaxKey)
            {
                continue;
            }

            if (frameStart < 0 || into.WrittenCount - frameStart - 4 + Fixed + keyBytes > MaxPayload)
            {
                EndFrame(into, frameStart);
                frameStart = into.WrittenCount;
                into.GetSpan(4);
                into.Advance(4);
            }

            Span<byte> entry = into.GetSpan(Fixed + keyBytes);
            BinaryPrimitives.WriteUInt16BigEndian(entry, (ushort)keyBytes);
            Encoding.UTF8.GetBytes(count.Key, entry[2..]);
            Span<byte> rest = entry[(2 + keyBytes)..];
            BinaryPrimitives.WriteUInt32BigEndian(rest, (uint)count.Shape.Length.TotalMilliseconds);
            rest[4] = (byte)count.Shape.Segments;
            BinaryPrimitives.WriteInt64BigEndian(rest[5..], count.Segment);
            BinaryPrimitives.WriteUInt32BigEndian(rest[13..], (uint)count.Count);
            into.Advance(Fixed + keyBytes);
        }

        EndFrame(into, frameStart);
    }

    /// <summary>Reads one frame's counts; false at the end of the stream or on a frame that is not one (the stream is then left).</summary>
    public static async ValueTask<bool> ReadAsync(Stream stream, byte[] buffer, List<SharedCount> into, CancellationToken cancellationToken)
    {
        if (!await FillAsync(stream, buffer.AsMemory(0, 4), cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(buffer);
        if (length > MaxPayload || length > buffer.Length
            || !await FillAsync(stream, buffer.AsMemory(0, (int)length), cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        return Parse(buffer.AsSpan(0, (int)length), into);
    }

    /// <summary>Parses a frame's payload; false when it is malformed (nothing of it is kept).</summary>
    public static bool Parse(ReadOnlySpan<byte> payload, List<SharedCount> into)
    {
        int start = into.Count;
        while (!payload.IsEmpty)
        {
            if (payload.Length < Fixed)
            {
                break;
            }

            int keyBytes = BinaryPrimitives.ReadUInt16BigEndian(payload);
            if (keyBytes > MaxKey || payload.Length < Fixed + keyBytes)
            {
                break;
            }

            string key = Encoding.UTF8.GetString(payload.Slice(2, keyBytes));
            ReadOnlySpan<byte> rest = payload[(2 + keyBytes)..];
            var shape = new WindowShape(TimeSpan.FromMilliseconds(BinaryPrimitives.ReadUInt32BigEndian(rest)), rest[4]);
            long segment = BinaryPrimitives.ReadInt64BigEndian(rest[5..]);
            uint count = BinaryPrimitives.ReadUInt32BigEndian(rest[13..]);
            if (!shape.IsValid || count is 0 or > int.MaxValue || segment < 0)
            {
                break;
            }

            into.Add(new SharedCount(key, shape, segment, (int)count));
            payload = payload[(Fixed + keyBytes)..];
        }

        if (!payload.IsEmpty)
        {
            into.RemoveRange(start, into.Count - start);
            return false;
        }

        return true;
    }

    private static void EndFrame(ArrayBufferWriter<byte> into, int frameStart)
    {
        if (frameStart >= 0)
        {
            // WrittenMemory is read-only to callers; the frame's length slot was advanced over, so it is ours to fill.
            Span<byte> written = System.Runtime.InteropServices.MemoryMarshal.AsMemory(into.WrittenMemory).Span;
            BinaryPrimitives.WriteUInt32BigEndian(written[frameStart..], (uint)(into.WrittenCount - frameStart - 4));
        }
    }

    private static async ValueTask<bool> FillAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }
}

using System.Buffers;

namespace Burrow.Agent.Inspection;

/// <summary>The buffers of exchanges being captured: heads, body prefixes and trailers until the store encodes them.</summary>
/// <remarks>
/// Not <see cref="ArrayPool{T}.Shared"/>, for the reason <c>PumpBuffers</c> gives: it keeps a few dozen arrays of a size
/// per core, and hundreds of requests in flight (two buffers each) would miss it and allocate.
/// </remarks>
internal static class CaptureBuffers
{
    /// <summary>The first buffer of a head or body; it doubles as needed.</summary>
    public const int FirstSize = 1024;

    public const int MaxKeptPerSize = 1024;

    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(1024 * 1024, MaxKeptPerSize);

    public static byte[] Rent(int minimum) => Pool.Rent(Math.Max(FirstSize, minimum));

    public static void Return(byte[] buffer) => Pool.Return(buffer);

    /// <summary>Makes room for <paramref name="needed"/> bytes after the <paramref name="used"/> in <paramref name="buffer"/>.</summary>
    public static byte[] Grow(byte[]? buffer, int used, int needed)
    {
        if (buffer is not null && used + needed <= buffer.Length)
        {
            return buffer;
        }

        byte[] grown = Rent(Math.Max(used + needed, (buffer?.Length ?? 0) * 2));
        if (buffer is not null)
        {
            buffer.AsSpan(0, used).CopyTo(grown);
            Return(buffer);
        }

        return grown;
    }
}

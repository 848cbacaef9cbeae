using System.Buffers;

namespace Burrow.Protocol.Pumping;

/// <summary>
/// The pump's buffers: a small one for each burst of reads, a large one once reads fill it (bulk).
/// </summary>
/// <remarks>
/// Not <see cref="ArrayPool{T}.Shared"/>: it keeps only a few dozen arrays of a size per core, so
/// with hundreds of connections in a request at once most rentals missed and allocated a fresh
/// 64 KiB array (about 21 KB of garbage per request at 12,000 requests/s, and a GC heap that grew
/// to 150 MB committed). This pool keeps up to <see cref="MaxKeptPerSize"/> arrays of each size, so
/// memory follows the highest concurrency seen and steady load allocates nothing. What it keeps
/// it keeps (at most 16 MiB of small and 64 MiB of large buffers): after a burst of 256 busy
/// connections the agent holds about 4-8 MiB more at rest.
/// </remarks>
internal static class PumpBuffers
{
    /// <summary>What a request, a response head or an interactive write needs; one TLS record.</summary>
    public const int SmallSize = 16 * 1024;

    /// <summary>For bulk: matches the socket buffers on loopback and the mux's largest frame.</summary>
    public const int LargeSize = 64 * 1024;

    public const int MaxKeptPerSize = 1024;

    // Sizes are powers of two, so each size has its own bucket and a rental returns exactly that size.
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(LargeSize, MaxKeptPerSize);

    public static byte[] RentSmall() => Pool.Rent(SmallSize);

    public static byte[] RentLarge() => Pool.Rent(LargeSize);

    public static void Return(byte[] buffer) => Pool.Return(buffer);
}

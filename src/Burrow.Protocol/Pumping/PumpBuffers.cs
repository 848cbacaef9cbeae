namespace Burrow.Protocol.Pumping;

/// <summary>
/// The pump's buffers: a small one for each burst of reads, a large one once reads fill it (bulk).
/// </summary>
/// <remarks>
/// Not <see cref="System.Buffers.ArrayPool{T}.Shared"/>: it keeps only a few dozen arrays of a size per
/// core, so with hundreds of connections in a request at once most rentals missed and allocated a fresh
/// 64 KiB array (about 21 KB of garbage per request at 12,000 requests/s, and a GC heap that grew to
/// 150 MB committed). These buckets keep up to <see cref="MaxKeptPerSize"/> buffers of each size, so a
/// steady load allocates nothing; every <see cref="TrimInterval"/> each lets go of the buffers no rental
/// needed since the last trim, so what bulk transfers or a burst of connections left behind goes back
/// to the GC within two intervals of the load ending (it held up to 64 MiB of large buffers before).
/// </remarks>
internal static class PumpBuffers
{
    /// <summary>What a request, a response head or an interactive write needs; one TLS record.</summary>
    public const int SmallSize = 16 * 1024;

    /// <summary>For bulk: matches the socket buffers on loopback and the mux's largest frame.</summary>
    public const int LargeSize = 64 * 1024;

    public const int MaxKeptPerSize = 1024;

    /// <summary>How often idle buffers are let go.</summary>
    public static readonly TimeSpan TrimInterval = TimeSpan.FromSeconds(10);

    private static readonly BufferBucket Small = new(SmallSize, MaxKeptPerSize);
    private static readonly BufferBucket Large = new(LargeSize, MaxKeptPerSize);

    // Runs for the life of the process; a tick with nothing kept costs two uncontended locks.
    private static readonly Timer Trimmer = new(static _ => TrimIdle(), null, TrimInterval, TrimInterval);

    public static byte[] RentSmall() => Small.Rent();

    public static byte[] RentLarge() => Large.Rent();

    public static void Return(byte[] buffer) => (buffer.Length == LargeSize ? Large : Small).Return(buffer);

    /// <summary>Buffers kept now (small, large).</summary>
    internal static (int Small, int Large) Kept => (Small.Count, Large.Count);

    /// <summary>What the timer does every <see cref="TrimInterval"/>.</summary>
    internal static void TrimIdle()
    {
        long released = ((long)Small.Trim() * SmallSize) + ((long)Large.Trim() * LargeSize);
        if (released >= CollectAfterReleasing)
        {
            // An idle process allocates nothing, so no collection would come to give the memory back: ask for one.
            GC.Collect(2, GCCollectionMode.Forced, blocking: false, compacting: false);
        }
    }

    /// <summary>Bytes let go at once that are worth a collection of their own.</summary>
    private const long CollectAfterReleasing = 8 * 1024 * 1024;
}

using Burrow.Protocol.Messages;

namespace Burrow.Edge.Stats;

/// <summary>
/// The most recent durations of one kind (client connections, or requests) of one tunnel, in
/// microseconds (loopback requests take less than a millisecond), kept until the next <c>tunnel_stats</c> report takes them. Many writers (every
/// request), one reader (the session's reporter); no lock and no allocation on the write.
/// </summary>
/// <remarks>
/// A ring of <see cref="Capacity"/> slots: a writer claims the next index with one interlocked
/// increment and stores its value plus one (so 0 marks a slot taken or not yet written); the reader
/// swaps each slot it takes back to 0. More than <see cref="Capacity"/> writes between two reports
/// keep the newest. A write racing the reader may be skipped or read one report late, which a
/// sample for percentiles can live with.
/// </remarks>
internal sealed class DurationSample
{
    /// <summary>Slots in the ring: one report's worth (<see cref="TunnelStatsMessage.MaxDurations"/>).</summary>
    public const int Capacity = TunnelStatsMessage.MaxDurations;

    private const long Mask = Capacity - 1;

    private readonly long[] _slots = new long[Capacity];
    private long _written;
    // Only the reader touches it.
    private long _read;

    /// <summary>Records a duration.</summary>
    public void Add(TimeSpan duration)
    {
        long index = Interlocked.Increment(ref _written) - 1;
        long microseconds = Math.Max(0, (long)duration.TotalMicroseconds);
        Volatile.Write(ref _slots[index & Mask], microseconds + 1);
    }

    /// <summary>Takes the durations recorded since the last call, oldest first. One reader at a time.</summary>
    /// <returns>The durations in microseconds; an empty array when there are none.</returns>
    public long[] Take()
    {
        long end = Volatile.Read(ref _written);
        long start = Math.Max(_read, end - Capacity);
        _read = end;
        if (end == start)
        {
            return [];
        }

        var taken = new List<long>((int)(end - start));
        for (long index = start; index < end; index++)
        {
            long value = Interlocked.Exchange(ref _slots[index & Mask], 0);
            if (value != 0)
            {
                taken.Add(value - 1);
            }
        }

        return [.. taken];
    }
}

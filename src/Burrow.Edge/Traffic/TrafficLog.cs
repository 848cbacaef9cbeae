using System.Threading.Channels;

namespace Burrow.Edge.Traffic;

/// <summary>
/// A tunnel's recent traffic: the last <see cref="Capacity"/> entries in a ring (older ones dropped), and live readers
/// (<c>burrow admin tail</c>) that get each new entry as it is added. Bounded both ways: the ring by its capacity, each
/// reader by a queue that drops its oldest entries when the reader falls behind, so a slow reader never slows traffic.
/// </summary>
internal sealed class TrafficLog
{
    /// <summary>Longest path kept; longer ones are cut (a log entry is not the place for a 64 KiB query string).</summary>
    public const int MaxPathLength = 512;

    /// <summary>Entries a live reader may have waiting before its oldest are dropped.</summary>
    public const int ReaderQueueLength = 1024;

    private readonly TrafficEntry?[] _ring;
    private readonly Lock _gate = new();
    private readonly List<Channel<TrafficEntry>> _readers = [];
    private int _next;
    private long _total;
    private bool _closed;

    /// <param name="capacity">Entries kept; 0 keeps none and records nothing.</param>
    public TrafficLog(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _ring = new TrafficEntry?[capacity];
    }

    public int Capacity => _ring.Length;

    /// <summary>Whether entries are kept at all (a zero capacity turns the log off).</summary>
    public bool Enabled => _ring.Length > 0;

    /// <summary>Entries added since the tunnel was bound, including those dropped from the ring.</summary>
    public long Total => Interlocked.Read(ref _total);

    public void Add(TrafficEntry entry)
    {
        if (_ring.Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            _ring[_next] = entry;
            _next = (_next + 1) % _ring.Length;
            _total++;
            foreach (Channel<TrafficEntry> reader in _readers)
            {
                reader.Writer.TryWrite(entry);
            }
        }
    }

    /// <summary>The kept entries, newest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<TrafficEntry> Recent(int limit)
    {
        lock (_gate)
        {
            return RecentHeld(limit);
        }
    }

    // With _gate held.
    private List<TrafficEntry> RecentHeld(int limit)
    {
        var recent = new List<TrafficEntry>(Math.Min(Math.Max(limit, 0), _ring.Length));
        for (int i = 1; i <= _ring.Length && recent.Count < limit; i++)
        {
            if (_ring[(_next - i + _ring.Length) % _ring.Length] is { } entry)
            {
                recent.Add(entry);
            }
        }

        return recent;
    }

    /// <summary>
    /// Entries as they are added, after the last <paramref name="backlog"/> kept ones (oldest first), until
    /// <paramref name="cancellationToken"/> fires or the log is closed (the tunnel went away).
    /// </summary>
    public async IAsyncEnumerable<TrafficEntry> FollowAsync(int backlog, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = Channel.CreateBounded<TrafficEntry>(new BoundedChannelOptions(ReaderQueueLength)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });
        List<TrafficEntry> earlier;
        lock (_gate)
        {
            // Taken under the same lock as the subscription, so no entry is missed or seen twice.
            earlier = RecentHeld(backlog);
            if (_closed)
            {
                reader.Writer.TryComplete();
            }
            else
            {
                _readers.Add(reader);
            }
        }

        try
        {
            for (int i = earlier.Count - 1; i >= 0; i--)
            {
                yield return earlier[i];
            }

            await foreach (TrafficEntry entry in reader.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return entry;
            }
        }
        finally
        {
            lock (_gate)
            {
                _readers.Remove(reader);
            }
        }
    }

    /// <summary>Ends every live reader: the tunnel is gone.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            foreach (Channel<TrafficEntry> reader in _readers)
            {
                reader.Writer.TryComplete();
            }
        }
    }
}

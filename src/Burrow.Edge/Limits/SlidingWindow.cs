namespace Burrow.Edge.Limits;

/// <summary>
/// One bucket's counts over a sliding window: a ring of segments, each holding what this node counted and what other
/// nodes of the cluster said they counted in that segment. The count of the window is the sum of the segments that
/// have not slid out of it. Guarded by its own lock: one bucket is touched by the requests of one key, rarely at once.
/// </summary>
internal sealed class SlidingWindow
{
    private readonly Slot[] _slots;
    private bool _queued;

    public SlidingWindow(string key, string? scope, WindowShape shape)
    {
        Key = key;
        Scope = scope;
        Shape = shape;
        _slots = new Slot[shape.Segments];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i].Segment = long.MinValue;
        }
    }

    public string Key { get; }

    /// <summary>
    /// The route key whose nodes need this bucket's counts, or <see langword="null"/> for every node. A bucket another
    /// node's counts made here has none until this node counts in it too (<see cref="LearnScope"/>).
    /// </summary>
    public string? Scope { get; private set; }

    public void LearnScope(string scope)
    {
        lock (_slots)
        {
            Scope ??= scope;
        }
    }

    public WindowShape Shape { get; }

    /// <summary>The newest segment anything was counted in, to let the bucket go once it has slid out.</summary>
    public long Newest { get; private set; } = long.MinValue;

    /// <summary>Whether the window holds fewer than <paramref name="limit"/> (taking nothing); when not, when one will have slid out.</summary>
    public bool IsBelow(long now, int limit, out DateTimeOffset retryAt)
    {
        lock (_slots)
        {
            int count = CountLocked(now);
            retryAt = count < limit ? default : RetryAtLocked(now, count, limit);
            return count < limit;
        }
    }

    /// <summary>
    /// Counts one more when the window holds fewer than <paramref name="limit"/>; otherwise says when one will have slid
    /// out (so the caller can answer Retry-After). <paramref name="share"/> marks the count for other nodes.
    /// </summary>
    public bool TryTake(long now, int limit, bool share, out DateTimeOffset retryAt)
    {
        lock (_slots)
        {
            int count = CountLocked(now);
            if (count < limit)
            {
                AddLocked(now, local: 1, remote: 0, share);
                retryAt = default;
                return true;
            }

            retryAt = RetryAtLocked(now, count, limit);
            return false;
        }
    }

    /// <summary>Counts one without a limit (a failure that has happened).</summary>
    public void Add(long now, bool share)
    {
        lock (_slots)
        {
            AddLocked(now, local: 1, remote: 0, share);
        }
    }

    /// <summary>Adds what another node counted in <paramref name="segment"/>; a segment already out of the window is ignored, one ahead of this clock counts now.</summary>
    public void AddRemote(long now, long segment, int count)
    {
        lock (_slots)
        {
            if (segment > now)
            {
                segment = now;
            }

            if (segment > now - Shape.Segments)
            {
                AddLocked(segment, local: 0, remote: count, share: false);
            }
        }
    }

    /// <summary>Marks the bucket as waiting in the queue of counts to share; false when it already is.</summary>
    public bool MarkQueued()
    {
        lock (_slots)
        {
            if (_queued)
            {
                return false;
            }

            _queued = true;
            return true;
        }
    }

    /// <summary>Hands over the counts not shared yet, segment by segment, and leaves the queue.</summary>
    public void TakeUnshared(long now, List<SharedCount> into)
    {
        lock (_slots)
        {
            _queued = false;
            for (int i = 0; i < _slots.Length; i++)
            {
                ref Slot slot = ref _slots[i];
                if (slot.Unshared > 0 && slot.Segment > now - Shape.Segments)
                {
                    into.Add(new SharedCount(Key, Shape, slot.Segment, slot.Unshared, Scope));
                }

                slot.Unshared = 0;
            }
        }
    }

    private void AddLocked(long segment, int local, int remote, bool share)
    {
        ref Slot slot = ref _slots[(int)(segment % _slots.Length)];
        if (slot.Segment != segment)
        {
            if (slot.Segment > segment)
            {
                // The ring moved on past it: older than the window.
                return;
            }

            slot = new Slot { Segment = segment };
        }

        slot.Local += local;
        slot.Remote += remote;
        if (share)
        {
            slot.Unshared += local;
        }

        if (segment > Newest)
        {
            Newest = segment;
        }
    }

    private int CountLocked(long now)
    {
        long oldest = now - Shape.Segments;
        int count = 0;
        foreach (Slot slot in _slots)
        {
            if (slot.Segment > oldest && slot.Segment <= now)
            {
                count += slot.Local + slot.Remote;
            }
        }

        return count;
    }

    // The window drops below the limit when enough of its oldest segments have slid out.
    private DateTimeOffset RetryAtLocked(long now, int count, int limit)
    {
        for (long segment = now - Shape.Segments + 1; segment <= now; segment++)
        {
            ref Slot slot = ref _slots[(int)(segment % _slots.Length)];
            if (slot.Segment == segment)
            {
                count -= slot.Local + slot.Remote;
            }

            if (count < limit)
            {
                return Shape.Expiry(segment);
            }
        }

        return Shape.Expiry(now);
    }

    private struct Slot
    {
        public long Segment;
        public int Local;
        public int Remote;
        public int Unshared;
    }
}

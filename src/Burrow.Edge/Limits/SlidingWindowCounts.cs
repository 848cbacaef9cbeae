using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Limits;

/// <summary>
/// Every sliding-window count of an edge, by bucket key: the policy's <c>rate-limit</c> buckets and the per-address
/// count of failed agent authentications. On a node of a cluster the counts are shared: what this node counts is
/// queued for <see cref="Cluster.SharedRateCounts"/>, which tells the other nodes every few tens of milliseconds, and
/// what they tell is added here, so a limit holds for the cluster and not per node.
/// </summary>
/// <remarks>
/// Ours rather than System.Threading.RateLimiting's sliding window: that one cannot take counts made elsewhere and
/// keeps its own timer-driven clock. Here segments are numbered from the epoch (<see cref="WindowShape"/>), so nodes
/// agree on them, and the clock is a <see cref="TimeProvider"/>. Buckets whose window has passed are let go on a
/// timer; at most <see cref="EdgeOptions.RateLimitBuckets"/> are kept (beyond, a new key is not counted, and said so).
/// </remarks>
internal sealed partial class SlidingWindowCounts : IDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, SlidingWindow> _windows = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SlidingWindow> _unshared = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxBuckets;
    private readonly ITimer _sweeper;
    private long _lastFullWarning = long.MinValue;
    private long _sent;
    private long _received;

    public SlidingWindowCounts(TimeProvider time, ILogger<SlidingWindowCounts> logger, int maxBuckets)
    {
        _time = time;
        _logger = logger;
        _maxBuckets = maxBuckets;
        _sweeper = time.CreateTimer(_ => Sweep(), null, SweepInterval, SweepInterval);
    }

    public SlidingWindowCounts(TimeProvider time, ILogger<SlidingWindowCounts> logger, EdgeOptions options)
        : this(time, logger, options.RateLimitBuckets)
    {
    }

    /// <summary>Whether what is counted here is queued for other nodes (set once a node's sharing starts).</summary>
    public bool Sharing { get; set; }

    /// <summary>Buckets held now.</summary>
    public int Buckets => _windows.Count;

    /// <summary>Counts sent to other nodes (one per bucket, segment and node), and counts other nodes told this one.</summary>
    public long SharedOut => Interlocked.Read(ref _sent);

    public long SharedIn => Interlocked.Read(ref _received);

    /// <summary>
    /// Takes one from <paramref name="key"/>'s window when it holds fewer than <paramref name="limit"/>; when not, how
    /// long until one slides out. <paramref name="scope"/>: the route key whose nodes share the bucket (null: all).
    /// </summary>
    public bool TryTake(string key, string? scope, int limit, WindowShape shape, out TimeSpan retryAfter)
    {
        DateTimeOffset now = _time.GetUtcNow();
        retryAfter = TimeSpan.Zero;
        if (Find(key, scope, shape) is not { } window)
        {
            return true;
        }

        if (window.TryTake(shape.SegmentAt(now), limit, Sharing, out DateTimeOffset retryAt))
        {
            Queue(window);
            return true;
        }

        retryAfter = retryAt - now;
        return false;
    }

    /// <summary>Whether <paramref name="key"/>'s window holds fewer than <paramref name="limit"/> (takes nothing); when not, how long until one slides out.</summary>
    public bool Below(string key, int limit, WindowShape shape, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!_windows.TryGetValue(key, out SlidingWindow? window) || window.Shape != shape)
        {
            return true;
        }

        DateTimeOffset now = _time.GetUtcNow();
        if (window.IsBelow(shape.SegmentAt(now), limit, out DateTimeOffset retryAt))
        {
            return true;
        }

        retryAfter = retryAt - now;
        return false;
    }

    /// <summary>Counts one for <paramref name="key"/>, with no limit (something that happened, like a failed authentication).</summary>
    public void Add(string key, WindowShape shape)
    {
        if (Find(key, scope: null, shape) is { } window)
        {
            window.Add(shape.SegmentAt(_time.GetUtcNow()), Sharing);
            Queue(window);
        }
    }

    /// <summary>Adds what another node counted (<see cref="Cluster.SharedRateCounts"/>).</summary>
    public void AddRemote(SharedCount count)
    {
        if (!count.Shape.IsValid || count.Count <= 0)
        {
            return;
        }

        Interlocked.Increment(ref _received);
        if (Find(count.Key, scope: null, count.Shape) is { } window)
        {
            window.AddRemote(count.Shape.SegmentAt(_time.GetUtcNow()), count.Segment, count.Count);
        }
    }

    /// <summary>Moves the counts made here since the last call into <paramref name="into"/>, for the other nodes.</summary>
    public void TakeUnshared(List<SharedCount> into, int most)
    {
        DateTimeOffset now = _time.GetUtcNow();
        while (into.Count < most && _unshared.TryDequeue(out SlidingWindow? window))
        {
            window.TakeUnshared(window.Shape.SegmentAt(now), into);
        }
    }

    /// <summary>Counts <paramref name="count"/> entries written to another node (<see cref="SharedOut"/>).</summary>
    public void Sent(int count) => Interlocked.Add(ref _sent, count);

    /// <summary>Lets go of every bucket whose window has passed.</summary>
    public void Sweep()
    {
        DateTimeOffset now = _time.GetUtcNow();
        foreach ((string key, SlidingWindow window) in _windows)
        {
            if (window.Newest <= window.Shape.SegmentAt(now) - window.Shape.Segments)
            {
                _windows.TryRemove(new KeyValuePair<string, SlidingWindow>(key, window));
            }
        }
    }

    public void Dispose() => _sweeper.Dispose();

    private void Queue(SlidingWindow window)
    {
        if (Sharing && window.MarkQueued())
        {
            _unshared.Enqueue(window);
        }
    }

    // The bucket for a key: a key met again with another shape (a policy bound anew with another rate) starts over.
    private SlidingWindow? Find(string key, string? scope, WindowShape shape)
    {
        if (_windows.TryGetValue(key, out SlidingWindow? window) && window.Shape == shape)
        {
            if (scope is not null && window.Scope is null)
            {
                window.LearnScope(scope);
            }

            return window;
        }

        if (window is null && _windows.Count >= _maxBuckets)
        {
            Sweep();
            if (_windows.Count >= _maxBuckets)
            {
                WarnFull();
                return null;
            }
        }

        var fresh = new SlidingWindow(key, scope, shape);
        return window is null ? _windows.GetOrAdd(key, fresh) : _windows.AddOrUpdate(key, fresh, (_, existing) => existing.Shape == shape ? existing : fresh);
    }

    private void WarnFull()
    {
        long now = _time.GetTimestamp();
        long last = Interlocked.Read(ref _lastFullWarning);
        if ((last == long.MinValue || _time.GetElapsedTime(last, now) > TimeSpan.FromMinutes(1))
            && Interlocked.CompareExchange(ref _lastFullWarning, now, last) == last)
        {
            Log.Full(_logger, _maxBuckets);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3110, EventName = "RateLimitBucketsFull", Level = LogLevel.Warning, Message = "Rate-limit buckets full ({Max}, --rate-limit-buckets): requests of new bucket keys are let through uncounted until old windows pass")]
        public static partial void Full(ILogger logger, int max);
    }
}

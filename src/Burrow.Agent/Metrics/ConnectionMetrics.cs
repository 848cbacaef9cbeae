namespace Burrow.Agent.Metrics;

/// <summary>
/// Counters for one kind of event on one tunnel (connections, or HTTP requests): how many, how many open, the rate
/// over 1/5/15 minutes and duration percentiles over the most recent <see cref="SampleSize"/> events. Thread-safe.
/// Updated once per connection or request, never per byte, so a lock is cheap enough and keeps the numbers coherent.
/// </summary>
internal sealed class ConnectionMetrics
{
    /// <summary>How many recent durations the percentiles are taken over (go-metrics' reservoir size).</summary>
    public const int SampleSize = 1028;

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly ExponentialRate _rate1 = new(TimeSpan.FromMinutes(1));
    private readonly ExponentialRate _rate5 = new(TimeSpan.FromMinutes(5));
    private readonly ExponentialRate _rate15 = new(TimeSpan.FromMinutes(15));
    private readonly long[] _durationTicks = new long[SampleSize];
    private int _samples;
    private int _nextSample;
    private long _count;
    private long _gauge;
    private long _lastTick;

    /// <summary>Creates empty counters.</summary>
    /// <param name="time">The clock; the system clock by default.</param>
    public ConnectionMetrics(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _lastTick = _time.GetTimestamp();
    }

    /// <summary>A connection opened (or a request started): counts it and raises the gauge.</summary>
    public void Opened()
    {
        lock (_lock)
        {
            CatchUp();
            _count++;
            _gauge++;
            _rate1.Add(1);
            _rate5.Add(1);
            _rate15.Add(1);
        }
    }

    /// <summary>A connection opened by <see cref="Opened"/> closed after <paramref name="duration"/>.</summary>
    public void Closed(TimeSpan duration)
    {
        lock (_lock)
        {
            CatchUp();
            _gauge--;
            Sample(duration);
        }
    }

    /// <summary>An event that has no open phase (a completed request): counts it and samples its duration.</summary>
    public void Completed(TimeSpan duration)
    {
        lock (_lock)
        {
            CatchUp();
            _count++;
            _rate1.Add(1);
            _rate5.Add(1);
            _rate15.Add(1);
            Sample(duration);
        }
    }

    /// <summary>
    /// Events counted elsewhere and reported in bulk (the edge's <c>tunnel_stats</c>): <paramref name="opened"/>
    /// raise the count and the gauge, <paramref name="closed"/> lower the gauge, and each of
    /// <paramref name="durationsUs"/> joins the sample. Requests, which have no open phase, pass the
    /// same number as both.
    /// </summary>
    public void Add(long opened, long closed, IReadOnlyList<long> durationsUs)
    {
        ArgumentNullException.ThrowIfNull(durationsUs);
        lock (_lock)
        {
            CatchUp();
            _count += opened;
            // Never below zero: a report may close what an earlier, lost one opened.
            _gauge = Math.Max(0, _gauge + opened - closed);
            _rate1.Add(opened);
            _rate5.Add(opened);
            _rate15.Add(opened);
            foreach (long microseconds in durationsUs)
            {
                Sample(TimeSpan.FromMicroseconds(microseconds));
            }
        }
    }

    /// <summary>Reads the counters as they are now.</summary>
    public MetricsSnapshot Snapshot()
    {
        long[] sorted;
        long count, gauge;
        double r1, r5, r15;
        lock (_lock)
        {
            CatchUp();
            count = _count;
            gauge = _gauge;
            r1 = _rate1.PerSecond;
            r5 = _rate5.PerSecond;
            r15 = _rate15.PerSecond;
            sorted = _durationTicks.AsSpan(0, _samples).ToArray();
        }

        Array.Sort(sorted);
        return new MetricsSnapshot(count, gauge, r1, r5, r15, Percentile(sorted, 0.50), Percentile(sorted, 0.90), Percentile(sorted, 0.95), Percentile(sorted, 0.99));
    }

    private void Sample(TimeSpan duration)
    {
        _durationTicks[_nextSample] = Math.Max(0, duration.Ticks);
        _nextSample = (_nextSample + 1) % SampleSize;
        _samples = Math.Min(_samples + 1, SampleSize);
    }

    // Ticks the rates for every whole interval that has passed, so no timer is needed and an idle tunnel decays correctly.
    private void CatchUp()
    {
        long now = _time.GetTimestamp();
        long interval = (long)(ExponentialRate.TickInterval.TotalSeconds * _time.TimestampFrequency);
        long due = (now - _lastTick) / interval;
        // After a long idle spell every further tick only multiplies by (1 - alpha); 15 minutes' worth is plenty.
        for (long i = 0; i < Math.Min(due, 180); i++)
        {
            _rate1.Tick();
            _rate5.Tick();
            _rate15.Tick();
        }

        _lastTick += due * interval;
    }

    // Nearest rank, as go-metrics' SampleSnapshot does it.
    private static TimeSpan Percentile(long[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return TimeSpan.Zero;
        }

        double position = p * (sorted.Length + 1);
        if (position < 1)
        {
            return TimeSpan.FromTicks(sorted[0]);
        }

        if (position >= sorted.Length)
        {
            return TimeSpan.FromTicks(sorted[^1]);
        }

        long lower = sorted[(int)position - 1], upper = sorted[(int)position];
        return TimeSpan.FromTicks(lower + (long)((position - Math.Floor(position)) * (upper - lower)));
    }
}

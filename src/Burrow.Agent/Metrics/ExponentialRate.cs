namespace Burrow.Agent.Metrics;

/// <summary>
/// An exponentially weighted moving average of a rate, the Unix load-average way (as go-metrics' EWMA, which ngrok's
/// numbers come from): events are counted as they happen and folded in once per <see cref="TickInterval"/>.
/// Not thread-safe: <see cref="ConnectionMetrics"/> calls it under its lock.
/// </summary>
internal sealed class ExponentialRate
{
    /// <summary>How often the count is folded into the average.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(5);

    private readonly double _alpha;
    private long _uncounted;
    private double _perSecond;
    private bool _started;

    /// <summary>Creates a rate that forgets over <paramref name="window"/> (one, five or fifteen minutes).</summary>
    public ExponentialRate(TimeSpan window)
    {
        _alpha = 1 - Math.Exp(-TickInterval.TotalSeconds / window.TotalSeconds);
    }

    /// <summary>Events per second.</summary>
    public double PerSecond => _perSecond;

    /// <summary>Counts events not yet folded in.</summary>
    public void Add(long events) => _uncounted += events;

    /// <summary>Folds the events counted since the last tick into the average.</summary>
    public void Tick()
    {
        double instant = _uncounted / TickInterval.TotalSeconds;
        _uncounted = 0;
        if (_started)
        {
            _perSecond += _alpha * (instant - _perSecond);
        }
        else
        {
            // The first tick sets the average outright, so a fresh tunnel does not read near zero for minutes.
            _perSecond = instant;
            _started = true;
        }
    }
}

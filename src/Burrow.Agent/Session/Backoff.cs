namespace Burrow.Agent.Session;

/// <summary>Capped exponential backoff with full jitter ("decorrelated" delays keep many agents from reconnecting in step).</summary>
internal sealed class Backoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private int _attempt;

    public Backoff(TimeSpan min, TimeSpan max)
    {
        _min = min;
        _max = max;
    }

    public int Attempt => _attempt;

    public TimeSpan Next()
    {
        double ceiling = Math.Min(_max.TotalMilliseconds, _min.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt, 30)));
        _attempt++;
        // Between half the ceiling and the ceiling: jittered, but never a near-zero retry storm.
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        double delay = (ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2);
#pragma warning restore CA5394
        return TimeSpan.FromMilliseconds(Math.Max(_min.TotalMilliseconds / 2, delay));
    }

    public void Reset() => _attempt = 0;
}

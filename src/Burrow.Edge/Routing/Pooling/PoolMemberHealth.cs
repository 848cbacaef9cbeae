namespace Burrow.Edge.Routing.Pooling;

/// <summary>
/// A pool member's passive health and load: taken out for a recheck interval when its upstream failed, and counted in
/// flight for least-outstanding balancing. Lock-free: read on every request of a pooled URL.
/// </summary>
internal sealed class PoolMemberHealth
{
    private long _outUntilTicks;
    private int _outstanding;

    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>When the member gets traffic again; <see langword="null"/> when it is in.</summary>
    public DateTimeOffset? OutUntil(DateTimeOffset now)
    {
        long ticks = Interlocked.Read(ref _outUntilTicks);
        return ticks > now.UtcTicks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
    }

    public bool IsOut(DateTimeOffset now) => Interlocked.Read(ref _outUntilTicks) > now.UtcTicks;

    /// <summary>Takes the member out until <paramref name="until"/>; true when it was in (the caller logs the change once).</summary>
    public bool TakeOut(DateTimeOffset now, DateTimeOffset until)
    {
        long previous = Interlocked.Exchange(ref _outUntilTicks, until.UtcTicks);
        return previous <= now.UtcTicks;
    }

    /// <summary>Puts the member back at once (a request to it succeeded after its recheck).</summary>
    public void PutBack() => Interlocked.Exchange(ref _outUntilTicks, 0);

    public void Started() => Interlocked.Increment(ref _outstanding);

    public void Ended() => Interlocked.Decrement(ref _outstanding);
}

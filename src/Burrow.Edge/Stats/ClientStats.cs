namespace Burrow.Edge.Stats;

/// <summary>
/// What the public clients of one http tunnel did: client connections that sent it a request,
/// how many of those have closed, and requests forwarded. Only the edge sees these (the agent sees
/// pooled proxy streams); the session's <see cref="TunnelStatsReporter"/> sends them to the agent.
/// One interlocked operation per event, no lock, no allocation.
/// </summary>
internal sealed class ClientStats
{
    private long _connectionsOpened;
    private long _connectionsClosed;
    private long _requests;

    /// <summary>Lifetimes of client connections that closed, until the next report takes them.</summary>
    public DurationSample ConnectionDurations { get; } = new();

    /// <summary>Durations of requests that ended, until the next report takes them.</summary>
    public DurationSample RequestDurations { get; } = new();

    /// <summary>Client connections counted toward the tunnel (at their first request to it).</summary>
    public long ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

    /// <summary>Of those, the ones that have closed.</summary>
    public long ConnectionsClosed => Volatile.Read(ref _connectionsClosed);

    /// <summary>Requests forwarded to the agent that have ended.</summary>
    public long Requests => Volatile.Read(ref _requests);

    /// <summary>A client connection sent its first request to this tunnel.</summary>
    public void ConnectionOpened() => Interlocked.Increment(ref _connectionsOpened);

    /// <summary>A connection counted by <see cref="ConnectionOpened"/> closed after <paramref name="lifetime"/>.</summary>
    public void ConnectionClosed(TimeSpan lifetime)
    {
        // The duration first: a report that sees the close finds its duration too (or the next one does).
        ConnectionDurations.Add(lifetime);
        Interlocked.Increment(ref _connectionsClosed);
    }

    /// <summary>A forwarded request ended (answered, failed or cut) after <paramref name="duration"/>.</summary>
    public void RequestEnded(TimeSpan duration)
    {
        RequestDurations.Add(duration);
        Interlocked.Increment(ref _requests);
    }
}

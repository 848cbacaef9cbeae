namespace Burrow.Mux.Sessions;

/// <summary>
/// Running totals over every session that shares this object (through <see cref="MuxOptions.Counters"/>), for
/// metrics. They only grow, so they stay correct as sessions come and go; one interlocked add per event.
/// </summary>
public sealed class MuxCounters
{
    private long _streamsOpened;
    private long _windowStalls;

    /// <summary>Streams opened, by either side.</summary>
    public long StreamsOpened => Volatile.Read(ref _streamsOpened);

    /// <summary>
    /// Times a stream had data to send and no send window left, so it waited for the peer's window update: a
    /// reader on the other side slower than the writer here.
    /// </summary>
    public long WindowStalls => Volatile.Read(ref _windowStalls);

    internal void StreamOpened() => Interlocked.Increment(ref _streamsOpened);

    internal void WindowStalled() => Interlocked.Increment(ref _windowStalls);
}

namespace Burrow.Edge.Routing;

/// <summary>
/// Traffic through a tunnel or a whole session, for the admin API. Counted per request, per
/// connection and per read or write of a proxy stream (one interlocked add each, no allocation);
/// a tunnel's counters also add to its session's, so a session's totals survive its tunnels.
/// </summary>
internal sealed class TrafficCounters
{
    private readonly TrafficCounters? _parent;
    private long _bytesIn;
    private long _bytesOut;
    private long _requests;
    private long _connections;

    public TrafficCounters(TrafficCounters? parent = null)
    {
        _parent = parent;
    }

    /// <summary>Bytes from public clients toward the agent.</summary>
    public long BytesIn => Volatile.Read(ref _bytesIn);

    /// <summary>Bytes from the agent back to public clients.</summary>
    public long BytesOut => Volatile.Read(ref _bytesOut);

    /// <summary>HTTP requests forwarded.</summary>
    public long Requests => Volatile.Read(ref _requests);

    /// <summary>Proxy streams opened toward the agent (TCP and TLS connections, pooled HTTP connections).</summary>
    public long Connections => Volatile.Read(ref _connections);

    public void AddBytesIn(long count)
    {
        Interlocked.Add(ref _bytesIn, count);
        _parent?.AddBytesIn(count);
    }

    public void AddBytesOut(long count)
    {
        Interlocked.Add(ref _bytesOut, count);
        _parent?.AddBytesOut(count);
    }

    public void AddRequest()
    {
        Interlocked.Increment(ref _requests);
        _parent?.AddRequest();
    }

    public void AddConnection()
    {
        Interlocked.Increment(ref _connections);
        _parent?.AddConnection();
    }
}

namespace Burrow.Edge.Stats;

/// <summary>
/// One public HTTP connection (HTTP/1.1 keep-alive or HTTP/2) and the tunnels it has been counted
/// toward. A connection counts once per tunnel it sent a request to, at the first such request, and
/// closes in each of them when it ends; most touch one tunnel, so that one is a field compared by
/// reference on every request, and only a connection that reaches a second tunnel takes a lock.
/// </summary>
internal sealed class ClientConnection
{
    private readonly TimeProvider _time;
    private readonly long _openedAt;
    private ClientStats? _first;
    // Tunnels after the first; guarded by itself. Rare: a browser reusing one HTTP/2 connection for
    // several hostnames under one certificate.
    private List<ClientStats>? _others;
    private Policy.TcpConnectVerdicts? _tcpConnect;

    public ClientConnection(TimeProvider time)
    {
        _time = time;
        _openedAt = time.GetTimestamp();
    }

    /// <summary>What the traffic policies' <c>on_tcp_connect</c> decided for this connection, per tunnel; made on first use.</summary>
    public Policy.TcpConnectVerdicts TcpConnect => LazyInitializer.EnsureInitialized(ref _tcpConnect);

    /// <summary>A request of this connection was routed to the tunnel that owns <paramref name="stats"/>: counts the connection there once.</summary>
    public void Touch(ClientStats stats)
    {
        ClientStats? first = Volatile.Read(ref _first);
        if (ReferenceEquals(first, stats))
        {
            return;
        }

        if (first is null)
        {
            first = Interlocked.CompareExchange(ref _first, stats, null);
            if (first is null)
            {
                stats.ConnectionOpened();
                return;
            }

            if (ReferenceEquals(first, stats))
            {
                // Another HTTP/2 stream of this connection counted it a moment ago.
                return;
            }
        }

        TouchOther(stats);
    }

    /// <summary>The connection ended: closes it in every tunnel it was counted toward.</summary>
    public void Close()
    {
        if (Volatile.Read(ref _first) is not { } first)
        {
            return;
        }

        TimeSpan lifetime = _time.GetElapsedTime(_openedAt);
        first.ConnectionClosed(lifetime);
        if (_others is { } others)
        {
            lock (others)
            {
                foreach (ClientStats stats in others)
                {
                    stats.ConnectionClosed(lifetime);
                }
            }
        }
    }

    private void TouchOther(ClientStats stats)
    {
        List<ClientStats> others = Volatile.Read(ref _others) ?? Interlocked.CompareExchange(ref _others, new List<ClientStats>(), null) ?? _others!;
        lock (others)
        {
            if (!others.Contains(stats))
            {
                others.Add(stats);
                stats.ConnectionOpened();
            }
        }
    }
}

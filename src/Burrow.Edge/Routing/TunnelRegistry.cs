using Burrow.Edge.Routing.Pooling;

namespace Burrow.Edge.Routing;

/// <summary>
/// Every live tunnel, by public hostname (a <see cref="TunnelPool"/>: one member, or several agents that bound it with
/// pooling) and by the internal host the forwarder connects to (one member).
/// </summary>
internal sealed class TunnelRegistry
{
    // The only lock here; nothing else is taken while it is held.
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TunnelPool> _byHost = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Tunnel> _byConnectHost = new(StringComparer.OrdinalIgnoreCase);
    private readonly PoolBalance _balance;
    private readonly TimeProvider _time;

    public TunnelRegistry(EdgeOptions options, TimeProvider time)
    {
        _balance = options.PoolBalance;
        _time = time;
    }

    /// <summary>Raised after a tunnel (a pool member) is removed, on the remover's thread (a cluster node releases its route).</summary>
    public event Action<Tunnel>? Removed;

    /// <summary>Tunnels (pool members counted one by one).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byConnectHost.Count;
            }
        }
    }

    /// <summary>Whether every tunnel on the name comes from another leg (another session) of the agent that binds it.</summary>
    private static bool LegsOfOneAgent(TunnelPool pool, Tunnel tunnel) =>
        tunnel.Session.AgentId is { Length: > 0 } agent && pool.Members.Count > 0
        && pool.Members.All(m => m.Session.AgentId == agent && !ReferenceEquals(m.Session, tunnel.Session));

    /// <summary>Adds a tunnel unless its hostname is taken (true), for callers that do not pool.</summary>
    public bool TryAdd(Tunnel tunnel) => TryAdd(tunnel, out _) == PoolJoin.Added;

    /// <summary>
    /// Adds a tunnel: alone on a free hostname, or as one more member when the hostname's tunnels and this one all bound
    /// with pooling, for one account. A tcp tunnel's listener goes to its pool, which <paramref name="pool"/> returns.
    /// </summary>
    /// <remarks>
    /// Two legs of one agent (the same <see cref="Agents.AgentSession.AgentId"/>) may hold one hostname on one node for a
    /// moment: a leg moving off a draining node binds here before the agent lets its other leg here go.
    /// </remarks>
    public PoolJoin TryAdd(Tunnel tunnel, out TunnelPool? pool)
    {
        string? account = tunnel.Session.Credential.AccountId;
        lock (_lock)
        {
            if (_byHost.TryGetValue(tunnel.Hostname, out pool))
            {
                PoolJoin refusal = !pool.Pooled && !tunnel.Pooled && !LegsOfOneAgent(pool, tunnel) ? PoolJoin.Taken
                    : pool.Pooled != tunnel.Pooled ? PoolJoin.PoolingMismatch
                    : !string.Equals(pool.AccountId, account, StringComparison.Ordinal) ? PoolJoin.OtherAccount
                    : pool.Members.Count > 0 && pool.Members[0].Proto != tunnel.Proto ? PoolJoin.Taken
                    : PoolJoin.Added;
                if (refusal != PoolJoin.Added)
                {
                    pool = null;
                    return refusal;
                }
            }
            else
            {
                pool = new TunnelPool(tunnel.Hostname, tunnel.Pooled, account, _balance, _time) { TcpListener = tunnel.TcpListener };
                _byHost.Add(tunnel.Hostname, pool);
            }

            pool.Add(tunnel);
            _byConnectHost[tunnel.ConnectHost] = tunnel;
            return PoolJoin.Added;
        }
    }

    /// <summary>Whether any tunnel serves <paramref name="hostname"/>.</summary>
    public bool IsTaken(string hostname)
    {
        lock (_lock)
        {
            return _byHost.ContainsKey(hostname);
        }
    }

    public void Remove(Tunnel tunnel)
    {
        bool removed = false;
        Tcp.TcpTunnelListener? port = null;
        lock (_lock)
        {
            if (_byHost.TryGetValue(tunnel.Hostname, out var pool) && pool.Members.Contains(tunnel))
            {
                removed = true;
                if (pool.Remove(tunnel))
                {
                    // The last member: the name (and a tcp pool's port) is free again.
                    _byHost.Remove(tunnel.Hostname);
                    port = pool.TcpListener;
                }
            }

            if (_byConnectHost.TryGetValue(tunnel.ConnectHost, out var current) && ReferenceEquals(current, tunnel))
            {
                _byConnectHost.Remove(tunnel.ConnectHost);
            }
        }

        if (removed)
        {
            Removed?.Invoke(tunnel);
        }

        // A tcp tunnel's port is released with it, and whoever follows its traffic is told it is gone.
        port?.Dispose();
        tunnel.Traffic.Close();
        // Rate limiters hold timers; the policies live and die with their tunnel.
        tunnel.ClosePolicies();
    }

    /// <summary>Every live tunnel at this moment, each pool member on its own (for metrics and listings).</summary>
    public Tunnel[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _byHost.Values.SelectMany(p => p.Members)];
        }
    }

    /// <summary>Stops accepting on every tcp tunnel's port (the edge is stopping); connections in flight go on.</summary>
    public void CloseTcpListeners()
    {
        Tcp.TcpTunnelListener[] tcp;
        lock (_lock)
        {
            tcp = [.. _byHost.Values.Select(p => p.TcpListener).OfType<Tcp.TcpTunnelListener>()];
        }

        foreach (Tcp.TcpTunnelListener listener in tcp)
        {
            listener.Dispose();
        }
    }

    /// <summary>The tunnel that takes a request or connection for <paramref name="host"/> now: its only one, or its pool's pick.</summary>
    public Tunnel? FindByHost(string host) => FindPool(host)?.Pick();

    /// <summary>Every tunnel serving <paramref name="host"/>, or <see langword="null"/>.</summary>
    public TunnelPool? FindPool(string host)
    {
        lock (_lock)
        {
            return _byHost.GetValueOrDefault(host);
        }
    }

    public Tunnel? FindByConnectHost(string connectHost)
    {
        lock (_lock)
        {
            return _byConnectHost.GetValueOrDefault(connectHost);
        }
    }
}

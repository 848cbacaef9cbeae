namespace Burrow.Edge.Routing;

/// <summary>Every live tunnel, by public hostname and by the internal host the forwarder connects to.</summary>
internal sealed class TunnelRegistry
{
    // The only lock here; nothing else is taken while it is held.
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Tunnel> _byHost = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Tunnel> _byConnectHost = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Raised after a tunnel is removed, on the remover's thread (a cluster node releases its route).</summary>
    public event Action<Tunnel>? Removed;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byHost.Count;
            }
        }
    }

    /// <summary>Adds a tunnel unless its hostname is taken.</summary>
    public bool TryAdd(Tunnel tunnel)
    {
        lock (_lock)
        {
            if (!_byHost.TryAdd(tunnel.Hostname, tunnel))
            {
                return false;
            }

            _byConnectHost[tunnel.ConnectHost] = tunnel;
            return true;
        }
    }

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
        lock (_lock)
        {
            if (_byHost.TryGetValue(tunnel.Hostname, out var current) && ReferenceEquals(current, tunnel))
            {
                _byHost.Remove(tunnel.Hostname);
                removed = true;
            }

            _byConnectHost.Remove(tunnel.ConnectHost);
        }

        if (removed)
        {
            Removed?.Invoke(tunnel);
        }

        // A tcp tunnel's port is released with it, and whoever follows its traffic is told it is gone.
        tunnel.TcpListener?.Dispose();
        tunnel.Traffic.Close();
        // Rate limiters hold timers; the policies live and die with their tunnel.
        tunnel.ClosePolicies();
    }

    /// <summary>Every live tunnel at this moment (for metrics and listings).</summary>
    public Tunnel[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _byHost.Values];
        }
    }

    /// <summary>Stops accepting on every tcp tunnel's port (the edge is stopping); connections in flight go on.</summary>
    public void CloseTcpListeners()
    {
        Tunnel[] tcp;
        lock (_lock)
        {
            tcp = [.. _byHost.Values.Where(t => t.TcpListener is not null)];
        }

        foreach (Tunnel tunnel in tcp)
        {
            tunnel.TcpListener!.Dispose();
        }
    }

    public Tunnel? FindByHost(string host)
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

namespace Burrow.Agent.Session;

/// <summary>
/// The agent's tunnels at run time: by name (the user's, fixed) and by the id the edge bound each one to (which
/// proxy streams and tunnel stats name, and which changes on every bind).
/// </summary>
/// <remarks>
/// The agent API adds and removes tunnels while the session loop binds them and proxy streams look them up:
/// the list is guarded by <see cref="_lock"/> (taken alone, never with another lock held); the id map is a
/// concurrent dictionary read on every proxy stream without a lock.
/// </remarks>
internal sealed class TunnelTable
{
    private readonly Lock _lock = new();
    private readonly List<ActiveTunnel> _tunnels = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ActiveTunnel> _byId = new(StringComparer.Ordinal);

    public ActiveTunnel[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _tunnels];
        }
    }

    public ActiveTunnel? Find(string name)
    {
        lock (_lock)
        {
            return _tunnels.Find(t => t.Definition.Name == name);
        }
    }

    /// <summary>The tunnel the edge bound as <paramref name="tunnelId"/>, if any.</summary>
    public ActiveTunnel? FindById(string tunnelId) => _byId.TryGetValue(tunnelId, out ActiveTunnel? tunnel) ? tunnel : null;

    /// <summary>Adds a tunnel unless one of that name is there already; false then.</summary>
    public bool TryAdd(ActiveTunnel tunnel)
    {
        lock (_lock)
        {
            if (_tunnels.Exists(t => t.Definition.Name == tunnel.Definition.Name))
            {
                return false;
            }

            _tunnels.Add(tunnel);
        }

        if (tunnel.TunnelId is { } id)
        {
            _byId[id] = tunnel;
        }

        return true;
    }

    /// <summary>Removes the tunnel of that name and forgets its bound id; returns it, or null when there is none.</summary>
    public ActiveTunnel? Remove(string name)
    {
        ActiveTunnel? tunnel;
        lock (_lock)
        {
            tunnel = _tunnels.Find(t => t.Definition.Name == name);
            if (tunnel is null)
            {
                return null;
            }

            _tunnels.Remove(tunnel);
        }

        if (tunnel.TunnelId is { } id)
        {
            _byId.TryRemove(id, out _);
        }

        return tunnel;
    }

    /// <summary>
    /// Records that another leg's edge bound <paramref name="tunnel"/> as <paramref name="tunnelId"/> too, so that
    /// leg's proxy streams find it; the tunnel stays listed once, under its first leg's id.
    /// </summary>
    public void AddLegId(ActiveTunnel tunnel, string tunnelId) => _byId[tunnelId] = tunnel;

    /// <summary>Forgets an id <see cref="AddLegId"/> recorded (the leg was lost or the tunnel unbound there).</summary>
    public void RemoveLegId(string tunnelId) => _byId.TryRemove(tunnelId, out _);

    /// <summary>Records that the edge bound <paramref name="tunnel"/> as <paramref name="tunnelId"/> (a rebind replaces the old id).</summary>
    public void Bind(ActiveTunnel tunnel, string tunnelId)
    {
        if (tunnel.TunnelId is { } old)
        {
            _byId.TryRemove(old, out _);
        }

        tunnel.TunnelId = tunnelId;
        _byId[tunnelId] = tunnel;
    }
}

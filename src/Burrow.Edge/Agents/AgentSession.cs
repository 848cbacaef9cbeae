using Burrow.Edge.Access;
using Burrow.Edge.Routing;
using Burrow.Protocol.Messages;

namespace Burrow.Edge.Agents;

/// <summary>
/// An authenticated agent and its tunnels. It outlives its connection: after a disconnect it keeps
/// its tunnels (and hostnames) for the resume grace period, and a reconnecting agent that presents
/// the session id and the same token gets it back.
/// </summary>
internal sealed class AgentSession
{
    // Lock order: the registry's, then this one; never the tunnel registry's while holding this.
    private readonly Lock _lock = new();
    private readonly List<Tunnel> _tunnels = [];
    private AgentLink? _link;

    public AgentSession(string id, AgentCredential credential, AgentInfo agent, string remoteAddress, TimeProvider time)
    {
        Id = id;
        Credential = credential;
        Agent = agent;
        RemoteAddress = remoteAddress;
        Time = time;
        StartedAt = time.GetUtcNow();
    }

    public TimeProvider Time { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>Traffic through all tunnels the session has had.</summary>
    public TrafficCounters Counters { get; } = new();

    public string Id { get; }

    public AgentCredential Credential { get; }

    public byte[] TokenDigest => Credential.Digest;

    /// <summary>The agent's address on its current (or last) connection; the one it opened with until it resumes from another.</summary>
    public string RemoteAddress { get; private set; }

    public AgentInfo Agent { get; }

    /// <summary>
    /// The agent process's own id (<c>auth.agent_id</c>), the same on each of its legs to the nodes of a cluster, so a
    /// second node takes its bind of a name as another leg, not a conflict; <see langword="null"/> from older agents.
    /// </summary>
    public string? AgentId { get; init; }

    /// <summary>The live connection, or <see langword="null"/> while the agent is away.</summary>
    public AgentLink? Link => Volatile.Read(ref _link);

    /// <summary>When the current disconnect started; the grace timer counts from it.</summary>
    public ITimer? ExpiryTimer { get; set; }

    public bool Expired { get; set; }

    public Lock SyncRoot => _lock;

    public int TunnelCount
    {
        get
        {
            lock (_lock)
            {
                return _tunnels.Count;
            }
        }
    }

    public void SetLink(AgentLink? link)
    {
        if (link is not null)
        {
            RemoteAddress = link.RemoteAddress;
        }

        Volatile.Write(ref _link, link);
    }

    /// <summary>A snapshot of the tunnels.</summary>
    public Tunnel[] Tunnels
    {
        get
        {
            lock (_lock)
            {
                return [.. _tunnels];
            }
        }
    }

    public void AddTunnel(Tunnel tunnel)
    {
        lock (_lock)
        {
            _tunnels.Add(tunnel);
        }
    }

    public Tunnel? RemoveTunnel(string tunnelId)
    {
        lock (_lock)
        {
            int index = _tunnels.FindIndex(t => t.Id == tunnelId);
            if (index < 0)
            {
                return null;
            }

            Tunnel tunnel = _tunnels[index];
            _tunnels.RemoveAt(index);
            return tunnel;
        }
    }

    public Tunnel[] TakeAllTunnels()
    {
        lock (_lock)
        {
            Tunnel[] all = [.. _tunnels];
            _tunnels.Clear();
            return all;
        }
    }
}

namespace Burrow.Edge.Routing.Pooling;

/// <summary>
/// Every tunnel serving one public hostname (or tcp address): one member for an ordinary bind, several when each of them
/// bound with pooling. Members are full tunnels (their own id, agent session, policy and forwarder connection pool); the
/// pool only chooses among them. The member list is replaced, never changed in place, so a pick reads it without a lock.
/// </summary>
internal sealed class TunnelPool
{
    private readonly PoolBalance _balance;
    private readonly TimeProvider _time;
    private Tunnel[] _members = [];
    private int _cursor;
    private int _shareCursor;

    public TunnelPool(string key, bool pooled, string? accountId, PoolBalance balance, TimeProvider time)
    {
        Key = key;
        Pooled = pooled;
        AccountId = accountId;
        _balance = balance;
        _time = time;
    }

    /// <summary>The hostname or <c>tcp://</c> address.</summary>
    public string Key { get; }

    /// <summary>Whether the members bound with pooling (all of them, or the only one without).</summary>
    public bool Pooled { get; }

    /// <summary>The account of the first member; others must belong to it.</summary>
    public string? AccountId { get; }

    /// <summary>The public port of a tcp pool, shared by its members and closed with the last of them.</summary>
    public Tcp.TcpTunnelListener? TcpListener { get; set; }

    public IReadOnlyList<Tunnel> Members => Volatile.Read(ref _members);

    /// <summary>The member for the next request or connection; <see langword="null"/> when the pool is empty (or holds only <paramref name="except"/>).</summary>
    public Tunnel? Pick(Tunnel? except = null) =>
        PoolBalancer.Pick(Volatile.Read(ref _members), _balance, ref _cursor, _time.GetUtcNow(), except);

    /// <summary>
    /// The next of <paramref name="slots"/> turns (0 to slots-1), advanced atomically: on a node of a cluster, which member
    /// — this node's or another node's — takes the next request or connection (<c>Cluster.PoolShares</c>).
    /// </summary>
    public int NextShare(int slots) => (int)((uint)Interlocked.Increment(ref _shareCursor) % (uint)slots);

    /// <summary>Adds a member; called under the registry's lock.</summary>
    public void Add(Tunnel tunnel) => Volatile.Write(ref _members, [.. _members, tunnel]);

    /// <summary>Removes a member; true when the pool is now empty. Called under the registry's lock.</summary>
    public bool Remove(Tunnel tunnel)
    {
        Tunnel[] left = [.. _members.Where(m => !ReferenceEquals(m, tunnel))];
        Volatile.Write(ref _members, left);
        return left.Length == 0;
    }
}

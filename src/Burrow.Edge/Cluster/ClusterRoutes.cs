using Burrow.Edge.Agents;
using Burrow.Edge.Routing;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Storage;
using Burrow.Storage.Routes;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Cluster;

/// <summary>
/// This node's copy of the cluster's routes table (docs/cluster.md, "routes"): every key and the nodes that hold it,
/// loaded at start and kept current by <c>LISTEN burrow_routes</c>; after a lost connection the whole table is
/// reloaded and this node's own rows written again, so neither a missed notification nor a missed write leaves a
/// stale owner. Binds claim their key here first (<see cref="ClaimAsync"/>); tunnels removed from the
/// <see cref="TunnelRegistry"/> release theirs.
/// </summary>
internal sealed partial class ClusterRoutes : IAsyncDisposable
{
    // How long the listener waits before it checks that its connection still answers; bounds how long a silently dead
    // connection goes unnoticed (Npgsql's keepalive covers the rest).
    private static readonly TimeSpan ListenCheck = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryMin = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(5);

    private readonly RouteTable _table;
    private readonly INodeDirectory _directory;
    private readonly TunnelRegistry _tunnels;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();

    // The only lock here; nothing else is taken while it is held.
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RouteRow[]> _byKey = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _pendingKeys = new(StringComparer.OrdinalIgnoreCase);
    private readonly System.Threading.Channels.Channel<RouteRow> _releases = System.Threading.Channels.Channel.CreateUnbounded<RouteRow>();
    private Task _listening = Task.CompletedTask;
    private Task _releasing = Task.CompletedTask;
    private volatile string? _unavailable = "not started";

    public ClusterRoutes(RouteTable table, INodeDirectory directory, TunnelRegistry tunnels, TimeProvider time, ILogger<ClusterRoutes> logger)
    {
        _table = table;
        _directory = directory;
        _tunnels = tunnels;
        _time = time;
        _logger = logger;
    }

    /// <summary>This node's name.</summary>
    public string LocalNode => _directory.LocalName;

    /// <summary>Why this node cannot follow the routes table now (and refuses binds), or <see langword="null"/> when it can.</summary>
    public string? Unavailable => _unavailable;

    /// <summary>Raised (on the listener's task) with each route key whose rows changed here.</summary>
    public event Action<string>? Changed;

    /// <summary>Raised (on the listener's task) with the id of each authtoken revoked or deleted anywhere in the cluster.</summary>
    public event Action<string>? Revoked;

    /// <summary>
    /// Clears this node's rows left by a previous run, loads the table and starts following it. Throws
    /// <see cref="StoreException"/> when the database cannot be reached (the edge does not start half a node).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _table.DeleteNodeAsync(LocalNode, cancellationToken).ConfigureAwait(false);
        TableListener listener = await _table.OpenListenerAsync([RouteTable.RoutesChannel, RouteTable.RevocationsChannel], cancellationToken).ConfigureAwait(false);
        try
        {
            Replace(await _table.LoadAllAsync(cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            await listener.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _unavailable = null;
        _tunnels.Removed += OnTunnelRemoved;
        _directory.Changed += OnNodesChanged;
        _listening = Task.Run(() => FollowAsync(listener, _stopping.Token), CancellationToken.None);
        _releasing = Task.Run(() => ReleaseLoopAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>The rows of <paramref name="key"/> as this node knows them (empty when none).</summary>
    public IReadOnlyList<RouteRow> Find(string key)
    {
        lock (_lock)
        {
            return _byKey.GetValueOrDefault(key) ?? [];
        }
    }

    /// <summary>A row of <paramref name="key"/> held by another live node, or <see langword="null"/>: where to carry traffic this node has no tunnel for.</summary>
    public RouteRow? FindRemote(string key) => FindRemote(key, avoid: null);

    /// <summary>
    /// As <see cref="FindRemote(string)"/>, but a node <paramref name="avoid"/> names (one that just could not be
    /// reached: killed, its lease not yet run out) is taken only when no other node holds the key.
    /// </summary>
    public RouteRow? FindRemote(string key, UnreachableNodes? avoid)
    {
        // Spread over legs and pool members.
        RemoteRoutes remote = Remote(key);
        return (avoid is null ? null : remote.Draw(new RouteFilter(Avoid: avoid))) ?? remote.Draw(default);
    }

    /// <summary>The rows of <paramref name="key"/> held by other live nodes, to count and pick from without allocating.</summary>
    public RemoteRoutes Remote(string key) => new(Find(key), _directory.LiveNodes, LocalNode);

    /// <summary>The rows of <paramref name="key"/> held by other live nodes (legs and pool members there), as a new array.</summary>
    public RouteRow[] RemoteCandidates(string key)
    {
        RemoteRoutes remote = Remote(key);
        var rows = new RouteRow[remote.Count(default)];
        for (int i = 0; i < rows.Length; i++)
        {
            // Nothing in the default filter changes between Count and At on one snapshot.
            rows[i] = remote.At(default, i) ?? throw new InvalidOperationException("the route snapshot changed");
        }

        return rows;
    }

    /// <summary>
    /// Whether a bind of <paramref name="key"/> by <paramref name="session"/> here could share it with the other nodes'
    /// rows (legs of one agent, or pool members: <see cref="RouteRow.MayJoin"/>); false when no other node holds it.
    /// The claim at bind time decides; this only tells a TCP port held for another node whether to make way.
    /// </summary>
    public bool MayJoin(string key, AgentSession session, bool pooling)
    {
        RouteRow[] others = RemoteCandidates(key);
        if (others.Length == 0)
        {
            return false;
        }

        var row = new RouteRow(
            key.ToLowerInvariant(), LocalNode, "", session.Id, RouteOwner.AgentIdOf(session), session.Credential.AccountId, session.Credential.AuthtokenId,
            TunnelProtocols.Tcp, pooling, _time.GetUtcNow());
        return row.MayJoin(others);
    }

    /// <summary>Every key this node knows, with its rows (for listings and TCP listeners).</summary>
    public KeyValuePair<string, RouteRow[]>[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _byKey];
        }
    }

    /// <summary>
    /// How many endpoints <paramref name="authtokenId"/> holds on other nodes and not on this one (a tunnel quota
    /// counts the token's routes across the cluster; legs of one endpoint count once).
    /// </summary>
    public int RemoteEndpointsOf(string authtokenId)
    {
        lock (_lock)
        {
            return _byKey.Count(entry =>
                entry.Value.Any(r => r.Node != LocalNode && r.AuthtokenId == authtokenId)
                && !entry.Value.Any(r => r.Node == LocalNode && r.AuthtokenId == authtokenId));
        }
    }

    /// <summary>
    /// Writes <paramref name="tunnel"/>'s route before its bind is accepted: <see langword="null"/> when it is this
    /// node's (and the cluster's) to serve, else the error to refuse the bind with — the name held by another agent on
    /// another node (as a local conflict would be), or the database out of reach.
    /// </summary>
    public async Task<ProtocolError?> ClaimAsync(Tunnel tunnel, CancellationToken cancellationToken)
    {
        if (_unavailable is { } why)
        {
            return ErrorCodes.ClusterRoutesUnavailable.ToError(why);
        }

        RouteRow row = RowOf(tunnel);
        (RouteClaim claim, RouteRow? holder) result;
        try
        {
            result = await _table.ClaimAsync(row, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            Log.ClaimFailed(_logger, row.Key, ex.Message);
            return ErrorCodes.ClusterRoutesUnavailable.ToError("the cluster's database cannot be reached");
        }

        if (result.claim == RouteClaim.Taken)
        {
            Log.ClaimTaken(_logger, row.Key, result.holder?.Node ?? "?");
            return tunnel.Proto == TunnelProtocols.Tcp
                ? ErrorCodes.TcpPortUnavailable.WithMessage($"{tunnel.Hostname} is not available: another agent holds it on node '{result.holder?.Node}'.")
                : ErrorCodes.HostnameTaken.ToError(tunnel.Hostname);
        }

        // Known here at once, without waiting for the notification to come back.
        Upsert(row);
        return null;
    }

    private RouteRow RowOf(Tunnel tunnel)
    {
        AgentSession session = tunnel.Session;
        return new RouteRow(
            tunnel.Hostname.ToLowerInvariant(), LocalNode, tunnel.Id, session.Id, RouteOwner.AgentIdOf(session),
            session.Credential.AccountId, session.Credential.AuthtokenId, tunnel.Proto, RouteOwner.PoolingOf(tunnel), tunnel.CreatedAt);
    }

    private void OnTunnelRemoved(Tunnel tunnel)
    {
        string key = tunnel.Hostname.ToLowerInvariant();
        RouteRow? mine;
        lock (_lock)
        {
            mine = _byKey.GetValueOrDefault(key)?.FirstOrDefault(r => r.Node == LocalNode && r.TunnelId == tunnel.Id);
        }

        // A tunnel refused before its claim has no row to release.
        if (mine is not null)
        {
            Remove(mine);
            _releases.Writer.TryWrite(mine);
        }
    }

    private async Task ReleaseLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (RouteRow row in _releases.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await _table.ReleaseAsync(row.Key, row.Node, row.TunnelId, cancellationToken).ConfigureAwait(false);
                }
                catch (StoreException ex)
                {
                    // Not retried here: the reconnect that follows an outage writes this node's rows anew, without it.
                    Log.ReleaseFailed(_logger, row.Key, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void OnNodesChanged()
    {
        string[] live = [.. _directory.LiveNodes.Select(n => n.Name)];
        if (live.Length == 0 || _unavailable is not null)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                int gone = await _table.DeleteNodesOtherThanAsync(live, _stopping.Token).ConfigureAwait(false);
                if (gone > 0)
                {
                    Log.DeadNodeRoutesDeleted(_logger, gone);
                }
            }
            catch (Exception ex) when (ex is StoreException or OperationCanceledException)
            {
                // Another node does it, or this one at the next change or reconnect.
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        _tunnels.Removed -= OnTunnelRemoved;
        _directory.Changed -= OnNodesChanged;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _releases.Writer.TryComplete();
        await Task.WhenAll(_listening, _releasing).ConfigureAwait(false);
        _stopping.Dispose();
        // A node that stops cleanly takes its routes with it at once, rather than when its lease runs out.
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _table.DeleteNodeAsync(LocalNode, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StoreException or OperationCanceledException)
        {
            // Left to the other nodes, once this one's lease runs out.
        }

        await _table.DisposeAsync().ConfigureAwait(false);
    }
}

using System.Security.Cryptography;
using Burrow.Protocol.Errors;
using Burrow.Storage;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Cluster;

/// <summary>
/// This node's row in the node registry and its view of the others (<see cref="INodeDirectory"/>): a heartbeat every
/// <see cref="ClusterOptions.HeartbeatInterval"/> renews the lease on the node name; the rows are reloaded after each
/// heartbeat (which is what notices a lease that ran out) and at once on <c>NOTIFY burrow_nodes</c> (a node joining or
/// leaving). A heartbeat that fails leaves the node serving, with the error in <see cref="HeartbeatError"/>.
/// </summary>
internal sealed partial class NodeRegistry : INodeDirectory, IAsyncDisposable
{
    private const string Channel = "burrow_nodes";

    private readonly IControlStore _store;
    private readonly ClusterOptions _options;
    private readonly string _agentAddress;
    private readonly Func<string> _load;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DateTimeOffset _startedAt;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _reloadWanted = new(0, 1);
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private readonly TaskCompletionSource _drainRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loops = Task.CompletedTask;
    private IReadOnlyList<ClusterNode> _live = [];
    private IReadOnlyList<NodeRecord> _rows = [];
    private string? _heartbeatError;
    private DateTimeOffset? _lastHeartbeat;
    // Until when (UTC ticks) a lease that ran out is not taken as a node gone: one lease after this node's heartbeat is
    // written again following failures (see ReloadAsync).
    private long _outageGraceUntilTicks;

    public NodeRegistry(IControlStore store, ClusterOptions options, string agentAddress, Func<string> load, TimeProvider time, ILogger<NodeRegistry> logger)
    {
        _store = store;
        _options = options;
        _agentAddress = agentAddress;
        _load = load;
        _time = time;
        _logger = logger;
        _startedAt = time.GetUtcNow();
        InstanceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    }

    public string LocalName => _options.NodeName;

    /// <summary>This process's id in the row: what tells its own lease from another process's with the same name.</summary>
    public string InstanceId { get; }

    public IReadOnlyList<ClusterNode> LiveNodes => Volatile.Read(ref _live);

    /// <summary>Every row as last read, gone nodes too (until their rows are purged), with their load.</summary>
    public IReadOnlyList<NodeRecord> Rows => Volatile.Read(ref _rows);

    /// <summary>Why the last heartbeat failed (with its error code), or <see langword="null"/> when it was written.</summary>
    public string? HeartbeatError => Volatile.Read(ref _heartbeatError);

    /// <summary>When this node last wrote its heartbeat (this process's clock).</summary>
    public DateTimeOffset? LastHeartbeat => _lastHeartbeat;

    public event Action? Changed;

    /// <summary>
    /// Completes when this node's own row is marked draining (<c>burrow admin nodes drain</c> on any node, seen on
    /// <c>NOTIFY burrow_nodes</c> or the next reload): the node then drains and exits as on SIGTERM.
    /// </summary>
    public Task DrainRequested => _drainRequested.Task;

    /// <summary>Marks a live node's row draining and reads the rows again; <see langword="false"/> when no live node has the name.</summary>
    public async Task<bool> DrainAsync(string name, CancellationToken cancellationToken)
    {
        if (!await _store.DrainNodeAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Marks this node's row draining (SIGTERM), so the other nodes stop offering it to agents at once.</summary>
    public async Task MarkDrainingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _store.DrainNodeAsync(_options.NodeName, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            // The row goes when the node leaves; until then the others may still list it, and it refuses new legs itself.
            Log.LeaveFailed(_logger, ex.Message);
        }
    }

    /// <summary>
    /// Takes the node name (the first heartbeat) and reads the registry; throws <see cref="InvalidOperationException"/>
    /// with <c>ERR_BURROW_5302</c> when a live node holds the name. Then keeps the heartbeat and the view current.
    /// </summary>
    public async Task JoinAsync(CancellationToken cancellationToken)
    {
        if (!await _store.HeartbeatNodeAsync(Heartbeat(), cancellationToken).ConfigureAwait(false))
        {
            IReadOnlyList<NodeRecord> rows = await _store.ListNodesAsync(cancellationToken).ConfigureAwait(false);
            NodeRecord? holder = rows.FirstOrDefault(r => r.Name == _options.NodeName);
            throw new InvalidOperationException(ErrorCodes.NodeNameTaken.ToError(
                _options.NodeName, holder?.HeartbeatAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "just now", holder?.LinkAddress ?? "unknown").ToString());
        }

        _lastHeartbeat = _time.GetUtcNow();
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        _loops = Task.WhenAll(HeartbeatLoopAsync(_stopping.Token), ListenLoopAsync(_stopping.Token), ReloadLoopAsync(_stopping.Token));
    }

    /// <summary>Reads the rows now (a node link from a node this view does not know yet asks before refusing it).</summary>
    public Task RefreshAsync(CancellationToken cancellationToken) => ReloadAsync(cancellationToken);

    /// <summary>Stops the heartbeat and deletes this node's row (the others see it leave at once, not after the lease).</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        await StopLoopsAsync().ConfigureAwait(false);
        try
        {
            await _store.LeaveNodeAsync(_options.NodeName, InstanceId, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            // The lease runs out by itself.
            Log.LeaveFailed(_logger, ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopsAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _reloadWanted.Dispose();
        _reloading.Dispose();
    }

    private async Task StopLoopsAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        await _loops.ConfigureAwait(false);
    }

    private NodeHeartbeat Heartbeat() => new()
    {
        Name = _options.NodeName,
        InstanceId = InstanceId,
        LinkAddress = _options.NodeAddress,
        AgentAddress = _agentAddress,
        StartedAt = _startedAt,
        Lease = _options.Lease,
        LoadJson = _load(),
    };

    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await BeatAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        string? error;
        try
        {
            bool written = await _store.HeartbeatNodeAsync(Heartbeat(), cancellationToken).ConfigureAwait(false);
            // Not written: the lease ran out while the database was away and another process took the name.
            error = written ? null : ErrorCodes.NodeNameTaken.ToError(_options.NodeName, "recently", "another process").ToString();
            if (written)
            {
                _lastHeartbeat = _time.GetUtcNow();
                if (Volatile.Read(ref _heartbeatError) is not null)
                {
                    Volatile.Write(ref _outageGraceUntilTicks, (_lastHeartbeat.Value + _options.Lease).UtcTicks);
                }
            }

            await ReloadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            error = ErrorCodes.NodeHeartbeatFailing.ToError(ex.Message.TrimEnd('.')).ToString();
        }

        string? before = Interlocked.Exchange(ref _heartbeatError, error);
        if (error is not null && before is null)
        {
            Log.HeartbeatFailing(_logger, error);
        }
        else if (error is null && before is not null)
        {
            Log.HeartbeatRecovered(_logger, _options.NodeName);
        }
    }

    // LISTEN burrow_nodes on a connection of its own; lost, it is opened again, and the reload on listening covers
    // whatever was announced while it was away.
    private async Task ListenLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _store.ListenAsync(Channel, WantReload, _ => WantReload(), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreException ex)
            {
                Log.ListenFailed(_logger, ex.Message);
            }

            try
            {
                await Task.Delay(_options.HeartbeatInterval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void WantReload()
    {
        try
        {
            _reloadWanted.Release();
        }
        catch (SemaphoreFullException)
        {
            // One is pending already: it reads whatever this one would.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ReloadLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _reloadWanted.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await ReloadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (StoreException ex)
                {
                    Log.ListenFailed(_logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await _reloading.WaitAsync(cancellationToken).ConfigureAwait(false);
        bool changed;
        try
        {
            IReadOnlyList<NodeRecord> rows = await _store.ListNodesAsync(cancellationToken).ConfigureAwait(false);
            // While this node's own heartbeat fails, and for one lease after it is written again, a node it saw live keeps
            // its place though its lease ran out (same process, row still there): the database was away, possibly from
            // every node at once (a PostgreSQL restart longer than a lease), and they write their heartbeat again within a
            // lease. Counting them gone at once would drop their routes and links while they serve. A node that really
            // died meanwhile is dropped when the grace ends.
            IReadOnlyList<ClusterNode> previous = Volatile.Read(ref _live);
            bool graced = Volatile.Read(ref _heartbeatError) is not null || _time.GetUtcNow().UtcTicks < Volatile.Read(ref _outageGraceUntilTicks);
            IReadOnlyList<ClusterNode> live = [.. rows
                .Where(r => r.Live || (graced && previous.Any(p => p.Name == r.Name && p.StartedAt == r.StartedAt)))
                .Select(r => new ClusterNode(r.Name, r.LinkAddress, r.AgentAddress, r.StartedAt, r.HeartbeatAt, r.Draining))];
            IReadOnlyList<ClusterNode> before = Interlocked.Exchange(ref _live, live);
            Volatile.Write(ref _rows, rows);
            if (rows.Any(r => r.Live && r.Draining && r.Name == _options.NodeName && r.InstanceId == InstanceId))
            {
                _drainRequested.TrySetResult();
            }
            // A heartbeat moves HeartbeatAt every time; only who is there and how it can be reached is a change.
            changed = !before.Select(Identity).SequenceEqual(live.Select(Identity));
        }
        finally
        {
            _reloading.Release();
        }

        if (changed)
        {
            Log.NodesChanged(_logger, LiveNodes);
            Changed?.Invoke();
        }
    }

    private static (string, string, string, DateTimeOffset, bool) Identity(ClusterNode n) => (n.Name, n.LinkAddress, n.AgentAddress, n.StartedAt, n.Draining);

    private static partial class Log
    {
        [LoggerMessage(EventId = 5301, EventName = "NodeHeartbeatFailing", Level = LogLevel.Error, Message = "{Error}")]
        public static partial void HeartbeatFailing(ILogger logger, string error);

        [LoggerMessage(EventId = 5302, EventName = "NodeHeartbeatRecovered", Level = LogLevel.Information, Message = "Node {Name} writes its heartbeat again")]
        public static partial void HeartbeatRecovered(ILogger logger, string name);

        [LoggerMessage(EventId = 5303, EventName = "NodesChanged", Level = LogLevel.Information, Message = "Live nodes: {Nodes}")]
        public static partial void NodesChanged(ILogger logger, IReadOnlyList<ClusterNode> nodes);

        [LoggerMessage(EventId = 5304, EventName = "NodesListenFailed", Level = LogLevel.Warning, Message = "Listening for node changes failed (reloading every heartbeat meanwhile): {Reason}")]
        public static partial void ListenFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 5305, EventName = "NodeLeaveFailed", Level = LogLevel.Warning, Message = "Could not delete this node's row on stop (its lease runs out by itself): {Reason}")]
        public static partial void LeaveFailed(ILogger logger, string reason);
    }
}

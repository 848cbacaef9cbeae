using System.Collections.Concurrent;
using System.Net.Security;
using Burrow.Agent.Events;
using Burrow.Agent.Forwarding;
using Burrow.Agent.Inspection;
using Burrow.Agent.Metrics;
using Burrow.Agent.Status;
using Burrow.Agent.Web;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Versioning;
using Microsoft.Extensions.Logging;

namespace Burrow.Agent.Session;

/// <summary>
/// One extra leg of the session (leg 1, 2...): a connection to another node of the edge's cluster, kept up like the
/// first one (connect, authenticate with the same token and agent id, bind, serve, back off and connect again), on
/// which every tunnel is bound with the URL the first leg got, so the URL never changes whichever leg carries it.
/// </summary>
/// <remarks>
/// Unlike the first leg it picks no names, keeps no state file and never stops the agent: what it cannot bind it
/// reports in its status, and the first leg stays the one that decides the URLs. A bind the node refused for a fault
/// of its own (an <c>ERR_BURROW_5xxx</c> code: its database unreachable, say) is tried again with backoff while the
/// leg is up, so a leg that came up during a node's database outage does not stay without tunnels until it reconnects.
/// </remarks>
internal sealed class ExtraLeg : IAsyncDisposable
{
    private readonly AgentOptions _options;
    private readonly TunnelTable _tunnels;
    private readonly AgentEventSource _events;
    private readonly ILogger _logger;
    private readonly string _agentId;
    private readonly MuxCounters? _muxCounters;
    private readonly Heartbeat _heartbeat;
    private readonly CancellationTokenSource _stop = new();

    // Tunnel name → the id this leg's edge bound it as; kept across a lost connection for a resume.
    private readonly ConcurrentDictionary<string, string> _boundIds = new(StringComparer.Ordinal);

    // Each edge counts a tunnel's clients from zero: this leg's reports are turned into counts apart from the others'.
    private readonly ConcurrentDictionary<string, EdgeClientCounts> _counts = new(StringComparer.Ordinal);

    // Tunnel name → a tunnel whose bind this leg's node refused for a fault of its own: bound again later (RetryRefusedAsync).
    private readonly ConcurrentDictionary<string, ActiveTunnel> _refused = new(StringComparer.Ordinal);

    // Released when a refusal is added: the retry loop sleeps on it rather than waking every second for nothing.
    private readonly SemaphoreSlim _refusedAdded = new(0);
    private Task _run = Task.CompletedTask;
    private volatile ControlChannel? _live;
    private string? _sessionId;
    private volatile string? _reason;
    private volatile int _status = (int)SessionStatus.Connecting;
    private readonly Action<ExtraLeg>? _onMove;
    private volatile MuxSession? _mux;

    public ExtraLeg(int number, EdgeNode node, AgentOptions options, TunnelTable tunnels, AgentEventSource events, string agentId, ILogger logger, MuxCounters? muxCounters,
        Action<ExtraLeg>? onMove = null)
    {
        _onMove = onMove;
        Number = number;
        Node = node;
        _options = options;
        _tunnels = tunnels;
        _events = events;
        _agentId = agentId;
        _logger = logger;
        _muxCounters = muxCounters;
        _heartbeat = new Heartbeat(events);
    }

    public int Number { get; }

    public EdgeNode Node { get; }

    /// <summary>The control channel while the leg is online, for tunnels started and stopped through the agent API.</summary>
    public ControlChannel? Live => _live;

    public LegStatus Status() => new(Number, Node.Name, Node.Addr, (SessionStatus)_status, _heartbeat.Latency, _reason);

    /// <summary>Starts keeping the leg up until <see cref="DisposeAsync"/>.</summary>
    public void Start(HttpInspector? inspector) => _run = Task.Run(() => RunAsync(inspector, _stop.Token), CancellationToken.None);

    /// <summary>Binds <paramref name="tunnel"/> on this leg too (a tunnel started through the agent API once the first leg bound it).</summary>
    public async Task BindAsync(ActiveTunnel tunnel, CancellationToken cancellationToken)
    {
        if (_live is { } live)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, live.SessionToken);
            await BindOneAsync(live, tunnel, linked.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Unbinds the tunnel named <paramref name="name"/> on this leg (stopped through the agent API).</summary>
    public async Task UnbindAsync(string name, CancellationToken cancellationToken)
    {
        _refused.TryRemove(name, out _);
        if (!_boundIds.TryRemove(name, out string? id))
        {
            return;
        }

        _tunnels.RemoveLegId(id);
        if (_live is { } live)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, live.SessionToken);
            await live.UnbindAsync(id, linked.Token).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(HttpInspector? inspector, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(_options.MinReconnectDelay, _options.MaxReconnectDelay);
        while (!cancellationToken.IsCancellationRequested)
        {
            string reason;
            TimeSpan atLeast = TimeSpan.Zero;
            try
            {
                (bool wasOnline, reason, atLeast) = await RunConnectionAsync(inspector, cancellationToken).ConfigureAwait(false);
                if (wasOnline)
                {
                    backoff.Reset();
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ConnectionFailures.IsRetryable(ex))
            {
                reason = $"cannot reach the node: {ConnectionFailures.Describe(ex)}";
            }

            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            TimeSpan delay = backoff.Next();
            if (delay < atLeast)
            {
                delay = atLeast;
            }

            SetStatus(SessionStatus.Reconnecting, reason);
            _events.Raise(new LegLost(Number, Node.Name, Node.Addr, reason, delay));
            try
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        SetStatus(SessionStatus.Stopped, null);
    }

    private async Task<(bool WasOnline, string Reason, TimeSpan RetryAfter)> RunConnectionAsync(HttpInspector? inspector, CancellationToken cancellationToken)
    {
        SslStream ssl = await EdgeConnector.ConnectAsync(_options, Node.Addr, cancellationToken).ConfigureAwait(false);
        var mux = MuxSession.Client(ssl, new MuxOptions { EnableKeepAlive = false, Counters = _muxCounters });
        _mux = mux;
        await using (mux.ConfigureAwait(false))
        {
            using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            MuxStream control = await mux.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
            using var channel = new ControlChannel(control, _tunnels, _events, session.Token, t => _counts.GetOrAdd(t.Definition.Name, _ => new EdgeClientCounts()));
            channel.MoveRequested += () => _onMove?.Invoke(this);
            string? resumeId = _sessionId;
            AuthResultMessage authResult = await channel.AuthenticateAsync(_options.Authtoken, resumeId, _agentId, cancellationToken).ConfigureAwait(false);
            if (authResult.Error is { } refused)
            {
                return (false, $"the node refused the session: {refused}", ConnectionFailures.RetryAfter(refused));
            }

            _sessionId = authResult.SessionId;
            bool resumed = resumeId is not null && resumeId == authResult.SessionId && !_boundIds.IsEmpty;
            bool edgeCountsClients = ProtocolFeatures.Has(authResult.Features, ProtocolFeatures.TunnelStats);
            var proxyStreams = new ProxyStreamHandler(
                _tunnels.FindById, edgeCountsClients, inspector, error => _events.Raise(new ForwardingFailed(error)), _logger);
            var loops = ConnectionLoops.Start(mux, channel, proxyStreams, _heartbeat, authResult, session.Token);
            if (!resumed)
            {
                await BindAllAsync(channel, session.Token).ConfigureAwait(false);
            }

            using var retrying = CancellationTokenSource.CreateLinkedTokenSource(session.Token);
            Task retries = RetryRefusedAsync(channel, retrying.Token);
            try
            {
                SetStatus(SessionStatus.Online, _reason);
                _live = channel;
                _events.Raise(new LegOnline(Number, Node.Name, Node.Addr, _boundIds.Count));
                LogLine.Info(_logger, 6104, "leg established", ("leg", Number), ("node", Node.Name), ("id", authResult.SessionId));
                await loops.EndedAsync(null, cancellationToken).ConfigureAwait(false);
                _live = null;
                await loops.StopAsync(session).ConfigureAwait(false);
            }
            finally
            {
                // However the connection ended, nothing is retried on it any more.
                await retrying.CancelAsync().ConfigureAwait(false);
                await retries.ConfigureAwait(false);
            }

            return (true, await loops.WhyEndedAsync("node").ConfigureAwait(false), TimeSpan.Zero);
        }
    }

    /// <summary>Binds every tunnel the first leg has bound, under the same name; what fails is said in the leg's status.</summary>
    private async Task BindAllAsync(ControlChannel channel, CancellationToken cancellationToken)
    {
        // A new session on this node: the ids of the last one are gone with it.
        foreach (string oldId in _boundIds.Values)
        {
            _tunnels.RemoveLegId(oldId);
        }

        _boundIds.Clear();
        _refused.Clear();
        _reason = null;
        foreach (ActiveTunnel tunnel in _tunnels.Snapshot())
        {
            await BindOneAsync(channel, tunnel, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task BindOneAsync(ControlChannel channel, ActiveTunnel tunnel, CancellationToken cancellationToken)
    {
        if (LegBinding.SameNameAs(tunnel) is not { } name)
        {
            // Not bound on the first leg yet: there is no URL to repeat here.
            return;
        }

        BindResultMessage result = await channel.BindAsync(tunnel, name.Hostname, null, name.Port, cancellationToken).ConfigureAwait(false);
        if (result.Error is { } error)
        {
            bool again = IsNodeFault(error);
            _reason = $"tunnel {tunnel.Definition.Name} is not bound on this leg: {error}" + (again ? " (trying again)" : "");
            LogLine.Info(_logger, 6105, "leg bind failed", ("leg", Number), ("node", Node.Name), ("tunnel", tunnel.Definition.Name), ("err", error.ToString()), ("retry", again ? "yes" : "no"));
            if (again)
            {
                _refused[tunnel.Definition.Name] = tunnel;
                _refusedAdded.Release();
            }

            return;
        }

        if (_refused.TryRemove(tunnel.Definition.Name, out _) && _refused.IsEmpty)
        {
            _reason = null;
        }

        _boundIds[tunnel.Definition.Name] = result.TunnelId!;
        _tunnels.AddLegId(tunnel, result.TunnelId!);
    }

    /// <summary>An <c>ERR_BURROW_5xxx</c> refusal: the node's own fault (database, cluster routes), not the tunnel's.</summary>
    private static bool IsNodeFault(Burrow.Protocol.Errors.ProtocolError error) => error.Code.StartsWith("ERR_BURROW_5", StringComparison.Ordinal);

    /// <summary>
    /// Binds again, with backoff (1 s to 30 s), the tunnels this leg's node refused for a fault of its own, until none is
    /// left or the leg ends. A tunnel stopped meanwhile (gone from the table) is dropped.
    /// </summary>
    private async Task RetryRefusedAsync(ControlChannel channel, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (_refused.IsEmpty)
                {
                    backoff.Reset();
                    await _refusedAdded.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await Task.Delay(backoff.Next(), cancellationToken).ConfigureAwait(false);

                var live = new HashSet<string>(_tunnels.Snapshot().Select(t => t.Definition.Name), StringComparer.Ordinal);
                foreach ((string name, ActiveTunnel tunnel) in _refused.ToArray())
                {
                    if (!live.Contains(name) || _boundIds.ContainsKey(name))
                    {
                        _refused.TryRemove(name, out _);
                        continue;
                    }

                    await BindOneAsync(channel, tunnel, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ConnectionFailures.IsRetryable(ex))
        {
            // The connection went: the leg's own loop notices it and connects again, binding everything anew.
        }
    }

    private void SetStatus(SessionStatus status, string? reason)
    {
        _reason = reason;
        _status = (int)status;
    }

    /// <summary>
    /// Lets the leg go without cutting a request: unbinds its tunnels (its node sends it no new request), waits for the
    /// requests it carries to finish, within <paramref name="wait"/>, then closes it.
    /// </summary>
    public async Task LetGoAsync(TimeSpan wait)
    {
        DateTime deadline = DateTime.UtcNow + wait;
        using (var unbinding = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            foreach (string name in _boundIds.Keys.ToList())
            {
                try
                {
                    await UnbindAsync(name, unbinding.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
                {
                    // The session is ending anyway.
                }
            }
        }

        while (_mux is { } mux && mux.StreamCount > 1 && !mux.Completion.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        foreach (string id in _boundIds.Values)
        {
            _tunnels.RemoveLegId(id);
        }

        _stop.Dispose();
        _refusedAdded.Dispose();
    }
}

using System.Net.Security;
using Burrow.Agent.Events;
using Burrow.Agent.Web;
using Burrow.Agent.Forwarding;
using Burrow.Agent.Inspection;
using Burrow.Agent.Status;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Versioning;
using Microsoft.Extensions.Logging;

namespace Burrow.Agent.Session;

/// <summary>
/// The agent's one session with the edge, kept up: connect, authenticate (asking to resume the last session), put
/// the tunnels online, serve until the connection ends, and connect again after capped, jittered backoff. It stops
/// when cancelled (exit code 0) or on a refusal that retrying cannot change (exit code 1).
/// </summary>
internal sealed class SessionLoop
{
    // Tries before a failure that retrying cannot mend (unknown host, untrusted certificate) stops the agent.
    private const int HopelessAttempts = 3;

    private readonly AgentOptions _options;
    private readonly TunnelTable _tunnels;
    private readonly AgentEventSource _events;
    private readonly ILogger _logger;
    private readonly string? _statePath;
    private readonly TunnelBinder _binder;
    private readonly Heartbeat _heartbeat;
    private SessionState _state = new();
    private HttpInspector? _inspector;
    private bool _everOnline;
    private readonly MuxCounters? _muxCounters;
    private volatile ControlChannel? _live;
    private volatile MuxSession? _mux;
    private long _reconnects;
    private volatile bool _edgeCountsClients;
    private SessionStatus _status = SessionStatus.Connecting;
    private string? _reason;
    private volatile string? _nodeName;
    private volatile string? _movedTo;
    private volatile TaskCompletionSource _moveNow = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SessionLoop(AgentOptions options, TunnelTable tunnels, AgentEventSource events, ILogger logger, MuxCounters? muxCounters = null)
    {
        _muxCounters = muxCounters;
        _options = options;
        _tunnels = tunnels;
        _events = events;
        _logger = logger;
        _statePath = SessionState.PathFor(options);
        _binder = new TunnelBinder(tunnels, _statePath, events);
        _heartbeat = new Heartbeat(events);
    }

    public SessionStatus Status => _status;

    /// <summary>
    /// A random id for this agent process, sent in every leg's <c>auth</c>: a cluster's edges let one agent id bind the
    /// same hostname on several nodes (its legs), where another agent would conflict.
    /// </summary>
    public string AgentId { get; } = "agt_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    /// <summary>The name of the cluster node this leg is on, from the last <c>auth_result</c>; <see langword="null"/> for a single edge.</summary>
    public string? NodeName => _nodeName;

    /// <summary>The edge this leg connects to: <see cref="AgentOptions.ServerAddress"/>, or the node it was moved to.</summary>
    public string Address => _movedTo ?? _options.ServerAddress;

    /// <summary>Raised when this leg's node asks it to move (<c>notice: move</c>, the node is draining).</summary>
    public event Action? MoveRequested;

    /// <summary>Ends the current connection and connects to <paramref name="address"/> from now on (a draining node's leg moving).</summary>
    public void MoveTo(string address)
    {
        _movedTo = address;
        _moveNow.TrySetResult();
    }

    /// <summary>
    /// Raised each time the session comes online (every tunnel bound), with the nodes the edge listed in its
    /// <c>auth_result</c> (<see langword="null"/> from a single edge): where the other legs go.
    /// </summary>
    public event Action<IReadOnlyList<EdgeNode>?>? Online;

    /// <summary>Why the session is not online (the last error), or <see langword="null"/>.</summary>
    public string? Reason => _reason;

    public string? SessionId => _state.SessionId;

    public TimeSpan? Latency => _heartbeat.Latency;

    /// <summary>
    /// Set from each <c>auth_result</c>: whether this connection's edge reports http tunnels' clients and requests.
    /// Read by proxy streams and the inspector to leave those counts to it.
    /// </summary>
    public bool EdgeCountsClients => _edgeCountsClients;

    /// <summary>The session's multiplexer while connected, else <see langword="null"/>.</summary>
    public MuxSession? Mux => _mux;

    /// <summary>Times the agent waited to connect again after losing or failing to reach the edge.</summary>
    public long Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>The control channel while every tunnel is online, for tunnels started and stopped through the agent API; else <see langword="null"/>.</summary>
    public ControlChannel? Live => _live;

    /// <summary>Runs until cancelled (0) or a permanent error (1); returns the exit code.</summary>
    /// <param name="inspector">Observes HTTP tunnels with inspection on.</param>
    /// <param name="cancellationToken">Stops the agent.</param>
    public async Task<int> RunAsync(HttpInspector? inspector, CancellationToken cancellationToken)
    {
        _inspector = inspector;
        _state = SessionState.Load(_statePath);
        var backoff = new Backoff(_options.MinReconnectDelay, _options.MaxReconnectDelay);
        int hopeless = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan atLeast = TimeSpan.Zero;
            try
            {
                ConnectionOutcome outcome = await RunConnectionAsync(cancellationToken).ConfigureAwait(false);
                if (outcome.ExitCode is { } exit)
                {
                    return exit;
                }

                if (outcome.WasOnline)
                {
                    backoff.Reset();
                }

                atLeast = outcome.RetryAfter;
                hopeless = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ConnectionFailures.IsRetryable(ex))
            {
                // A name that does not resolve or a certificate not trusted stays that way: after a few tries, say what
                // to change and stop, unless asked to keep trying.
                if (ConnectionFailures.Hopeless(ex, _options.ServerAddress) is { } error)
                {
                    bool givingUp = ++hopeless >= HopelessAttempts && !_options.RetryForever;
                    _events.Raise(new EdgeSetupProblem(error, givingUp));
                    if (givingUp)
                    {
                        return 1;
                    }

                    SetStatus(SessionStatus.Reconnecting, error.Message.TrimEnd('.'));
                }
                else
                {
                    hopeless = 0;
                    string reason = ConnectionFailures.Describe(ex);
                    _events.Raise(new CannotReachEdge(_options.ServerAddress, reason));
                    SetStatus(SessionStatus.Reconnecting, $"cannot reach the edge: {reason}");
                }
            }

            TimeSpan delay = backoff.Next();
            if (delay < atLeast)
            {
                delay = atLeast;
            }

            Interlocked.Increment(ref _reconnects);
            _events.Raise(new Reconnecting(delay, backoff.Attempt));
            try
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return 0;
    }

    // Written by the session loop (and the runner as it stops); readers take a possibly stale but consistent pair, which a status view can live with.
    public void SetStatus(SessionStatus status, string? reason)
    {
        _reason = reason;
        _status = status;
    }

    private async Task<ConnectionOutcome> RunConnectionAsync(CancellationToken cancellationToken)
    {
        _moveNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        SslStream ssl = await EdgeConnector.ConnectAsync(_options, Address, cancellationToken).ConfigureAwait(false);
        var mux = MuxSession.Client(ssl, new MuxOptions { EnableKeepAlive = false, Counters = _muxCounters });
        _mux = mux;
        try
        {
            return await ServeConnectionAsync(mux, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _mux = null;
        }
    }

    private async Task<ConnectionOutcome> ServeConnectionAsync(MuxSession mux, CancellationToken cancellationToken)
    {
        await using (mux.ConfigureAwait(false))
        {
            using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            MuxStream control = await mux.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
            using var channel = new ControlChannel(control, _tunnels, _events, session.Token);
            channel.MoveRequested += () => MoveRequested?.Invoke();
            string? resumeId = _state.SessionId;
            AuthResultMessage authResult = await channel.AuthenticateAsync(_options.Authtoken, resumeId, AgentId, cancellationToken).ConfigureAwait(false);
            if (authResult.Error is { } refused)
            {
                bool givingUp = ConnectionFailures.IsFinalRefusal(refused);
                _events.Raise(new SessionRefused(refused, givingUp));
                if (givingUp)
                {
                    return new ConnectionOutcome(false, 1);
                }

                SetStatus(SessionStatus.Reconnecting, $"the edge refused the session: {refused}");
                return new ConnectionOutcome(false, null, ConnectionFailures.RetryAfter(refused));
            }

            _edgeCountsClients = ProtocolFeatures.Has(authResult.Features, ProtocolFeatures.TunnelStats);
            _nodeName = authResult.Nodes is [{ } onNode, ..] ? onNode.Name : null;
            bool resumed = resumeId is not null && resumeId == authResult.SessionId;
            _state.SessionId = authResult.SessionId;
            _state.Save(_statePath);
            // ngrok's words: the npm ngrok package and pyngrok wait for this line.
            LogLine.Info(_logger, 6102, "client session established", ("id", authResult.SessionId));

            // Restored before proxy streams are accepted: on a resume the edge routes requests to this
            // connection at once, and a stream for a tunnel not yet known here would be reset (a 502).
            List<ActiveTunnel>? restored = resumed ? _binder.TryRestore(_state) : null;

            var proxyStreams = new ProxyStreamHandler(
                _tunnels.FindById, _edgeCountsClients, _inspector, error => _events.Raise(new ForwardingFailed(error)), _logger);
            var loops = ConnectionLoops.Start(mux, channel, proxyStreams, _heartbeat, authResult, session.Token);

            if (restored is not null)
            {
                _binder.AnnounceResumed(restored, _everOnline);
            }
            else if (await _binder.BindAllAsync(channel, _state, _everOnline, ProtocolFeatures.Has(authResult.Features, ProtocolFeatures.EdgeTls), session.Token).ConfigureAwait(false) is { } exit)
            {
                return new ConnectionOutcome(false, exit);
            }

            _everOnline = true;
            SetStatus(SessionStatus.Online, null);
            _live = channel;
            Online?.Invoke(authResult.Nodes);
            // Online until the session ends (edge gone, keepalive lost, control stream closed) or the user stops.
            await loops.EndedAsync(_moveNow.Task, cancellationToken).ConfigureAwait(false);
            _live = null;
            if (_moveNow.Task.IsCompleted)
            {
                await FinishInFlightAsync(mux, cancellationToken).ConfigureAwait(false);
            }

            await loops.StopAsync(session).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                return new ConnectionOutcome(true, 0);
            }

            string reason = _moveNow.Task.IsCompleted ? $"moving to {_movedTo} (the node is draining)" : await loops.WhyEndedAsync("edge").ConfigureAwait(false);
            _events.Raise(new ConnectionLost(reason));
            LogLine.Info(_logger, 6103, "session closed, starting reconnect loop", ("id", authResult.SessionId), ("err", reason));
            SetStatus(SessionStatus.Reconnecting, reason);
            return new ConnectionOutcome(true, null);
        }
    }

    // Moving off a draining node: the requests it carries still finish here (the control stream stays open meanwhile),
    // for as long as a node's default drain timeout.
    private static async Task FinishInFlightAsync(MuxSession mux, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        try
        {
            while (mux.StreamCount > 1 && !mux.Completion.IsCompleted && DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping anyway.
        }
    }

    /// <param name="WasOnline">Whether the session got online (the backoff starts over).</param>
    /// <param name="ExitCode">Set when the agent stops.</param>
    /// <param name="RetryAfter">The least wait the edge asked for before the next try (<see cref="Burrow.Protocol.Errors.ProtocolError.RetryAfterSeconds"/>).</param>
    private readonly record struct ConnectionOutcome(bool WasOnline, int? ExitCode, TimeSpan RetryAfter = default);
}

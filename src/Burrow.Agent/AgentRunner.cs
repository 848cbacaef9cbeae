using Burrow.Agent.Events;
using Burrow.Agent.Forwarding;
using Burrow.Agent.Inspection;
using Burrow.Agent.Session;
using Burrow.Agent.Status;
using Burrow.Agent.Tunnels;
using Burrow.Agent.Web;
using Burrow.Mux.Errors;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Versioning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Agent;

/// <summary>
/// Runs an agent: connects out to the edge, authenticates, binds the tunnels, forwards every
/// proxy stream to its upstream, and reconnects (with capped, jittered backoff) after any loss,
/// resuming the same session and URLs when the edge still holds them.
/// </summary>
/// <remarks>
/// The parts: <see cref="TunnelTable"/> (the tunnels), <see cref="SessionLoop"/> (connect, authenticate, resume or
/// bind, reconnect), <see cref="ControlChannel"/> (the control stream of one connection),
/// <see cref="ProxyStreamHandler"/> (the traffic) and <see cref="WebInterface"/> (inspector and agent API). What the
/// user should hear about is raised as an <see cref="AgentEvent"/> through <see cref="EventRaised"/>, never written here.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The web interface (and inspector) lives from RunAsync's start to its end, which disposes it; the runner itself ends when RunAsync returns.")]
internal sealed class AgentRunner
{
    /// <summary>The agent's version, sent to the edge: the build's, see <see cref="BurrowVersion"/>.</summary>
    public static string Version => BurrowVersion.Current;

    private readonly AgentOptions _options;
    private readonly ILogger _logger;
    private readonly TunnelTable _tunnels = new();
    private readonly AgentEventSource _events;
    private readonly SessionLoop _loop;
    private readonly LegSet _legs;
    private readonly Telemetry.AgentMetrics _metrics;
    private WebInterface? _web;

    /// <summary>Creates a runner.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="logger">Diagnostics; none by default.</param>
    public AgentRunner(AgentOptions options, ILogger<AgentRunner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _events = new AgentEventSource(e => EventRaised?.Invoke(e), _logger);
        var muxCounters = new Burrow.Mux.Sessions.MuxCounters();
        _loop = new SessionLoop(options, _tunnels, _events, _logger, muxCounters);
        _legs = new LegSet(_loop, options, _tunnels, _events, _logger, muxCounters);
        _metrics = new Telemetry.AgentMetrics(muxCounters, _loop, _tunnels);
    }

    /// <summary>The metrics collector while the agent runs with metrics on; the web interface serves it at <c>/metrics</c>.</summary>
    internal OpenTelemetry.Metrics.MeterProvider? Meters { get; private set; }

    /// <summary>The round-trip time to the edge measured by the last keepalive ping.</summary>
    public TimeSpan? Latency => _loop.Latency;

    /// <summary>The inspector's and agent API's base URL (e.g. <c>http://127.0.0.1:4040</c>) once it listens; <see langword="null"/> before, or when there is none.</summary>
    public string? WebInterfaceUrl => _web?.Url;

    /// <summary>Raised for every HTTP request the agent saw answered (by the inspector's forwarder), on the thread that saw it.</summary>
    public event Action<CompletedRequest>? RequestCompleted;

    /// <summary>
    /// Raised for everything the person running the agent should hear about (tunnels online, the link lost and
    /// regained, errors), on the agent's own threads and possibly from several at once. Subscribe before
    /// <see cref="RunAsync"/> to hear it all.
    /// </summary>
    public event Action<AgentEvent>? EventRaised;

    /// <summary>The captured requests, once the inspector runs.</summary>
    internal CaptureStore? Captures => _web?.Inspector.Store;

    internal HttpInspector? Inspector => _web?.Inspector;

    /// <summary>Reads where the session stands, the link's latency and every tunnel with its counters.</summary>
    public AgentStatus GetStatus()
    {
        ActiveTunnel[] active = _tunnels.Snapshot();
        var tunnels = new List<TunnelStatus>(active.Length);
        foreach (ActiveTunnel tunnel in active)
        {
            tunnels.Add(StatusOf(tunnel));
        }

        IReadOnlyList<LegStatus> legs = _legs.Status();
        // Traffic flows while any leg is online: the first leg reconnecting is said in its reason and in the legs.
        SessionStatus session = (_loop.Status is SessionStatus.Reconnecting or SessionStatus.Connecting) && _legs.AnyOnline ? SessionStatus.Online : _loop.Status;
        return new AgentStatus(session, _loop.Reason, Version, _options.ServerAddress, _loop.SessionId, _loop.Latency, tunnels) { Legs = legs };
    }

    /// <summary>Runs until cancelled (exit code 0) or until a permanent error such as a refused authtoken (exit code 1).</summary>
    /// <param name="cancellationToken">Stops the agent.</param>
    /// <returns>The process exit code.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var fileServers = new List<StaticFileServer>();
        using CancellationTokenRegistration stopping = cancellationToken.UnsafeRegister(
            static loop => ((SessionLoop)loop!).SetStatus(SessionStatus.Stopping, null), _loop);
        // Collected only where someone can read them: the web interface's /metrics, or an OTLP collector.
        Meters = _options.Metrics && (_options.WebAddress is not null || Telemetry.AgentTelemetry.OtlpConfigured) ? Telemetry.AgentTelemetry.Start() : null;
        using OpenTelemetry.Trace.TracerProvider? tracer = Telemetry.AgentTelemetry.StartTracing();
        try
        {
            foreach (TunnelDefinition definition in _options.Tunnels)
            {
                if (definition.Upstream.Scheme == "file")
                {
                    var files = await StaticFileServer.StartAsync(definition.Upstream.Directory!, cancellationToken).ConfigureAwait(false);
                    fileServers.Add(files);
                    _tunnels.TryAdd(new ActiveTunnel(definition, "127.0.0.1", files.Port));
                }
                else
                {
                    _tunnels.TryAdd(new ActiveTunnel(definition, definition.Upstream.Host, definition.Upstream.Port));
                }
            }

            _web = new WebInterface(_options, ReportRequest, _events, _logger);
            await _web.StartServerAsync(this, cancellationToken).ConfigureAwait(false);
            return await _legs.RunAsync(_web.Inspector, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _loop.SetStatus(SessionStatus.Stopped, null);
            if (_web is not null)
            {
                await _web.DisposeAsync().ConfigureAwait(false);
                _web = null;
            }

            foreach (StaticFileServer files in fileServers)
            {
                await files.DisposeAsync().ConfigureAwait(false);
            }

            Meters?.Dispose();
            Meters = null;
        }
    }

    /// <summary>Counts a completed HTTP request on its tunnel and tells <see cref="RequestCompleted"/>'s listeners.</summary>
    internal void ReportRequest(string tunnelName, CompletedRequest request)
    {
        _tunnels.Find(tunnelName)?.RequestInspected(request.Duration, request.Replay, _loop.EdgeCountsClients);
        _metrics.RequestEnded(tunnelName, request.StatusCode, request.Duration);
        RequestCompleted?.Invoke(request);
    }

    internal ActiveTunnel[] TunnelsSnapshot() => _tunnels.Snapshot();

    internal ActiveTunnel? FindTunnel(string name) => _tunnels.Find(name);

    /// <summary>Binds a new tunnel on the live session (the agent API's POST /api/tunnels).</summary>
    internal async Task<(TunnelStatus? Tunnel, ProtocolError? Error)> StartTunnelAsync(TunnelDefinition definition, CancellationToken cancellationToken)
    {
        if (FindTunnel(definition.Name) is not null)
        {
            return (null, ErrorCodes.TunnelNameTaken.ToError(definition.Name));
        }

        if (_loop.Live is not { } live)
        {
            return (null, ErrorCodes.AgentOffline.ToError());
        }

        var tunnel = new ActiveTunnel(definition, definition.Upstream.Host, definition.Upstream.Port);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, live.SessionToken);
        BindResultMessage result;
        try
        {
            result = await live.BindAsync(tunnel, definition.Hostname, definition.Subdomain, definition.RemotePort, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or TimeoutException or ObjectDisposedException)
        {
            return (null, ErrorCodes.AgentOffline.ToError());
        }

        if (result.Error is { } refused)
        {
            return (null, ErrorCodes.TunnelStartFailed.ToError(definition.Name, refused.ToString()));
        }

        tunnel.TunnelId = result.TunnelId!;
        tunnel.Urls = result.Urls ?? [];
        if (!_tunnels.TryAdd(tunnel))
        {
            return (null, ErrorCodes.TunnelNameTaken.ToError(definition.Name));
        }

        _events.TunnelStarted(tunnel);
        try
        {
            await _legs.BindOnExtraLegsAsync(tunnel, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or TimeoutException or ObjectDisposedException)
        {
            // That leg is going down; it binds every tunnel again when it is back.
        }

        return (StatusOf(tunnel), null);
    }

    /// <summary>Unbinds a tunnel and forgets it (the agent API's DELETE /api/tunnels/{name}); false when there is none by that name.</summary>
    internal async Task<bool> StopTunnelAsync(string name, CancellationToken cancellationToken)
    {
        if (_tunnels.Remove(name) is not { } tunnel)
        {
            return false;
        }

        try
        {
            await _legs.UnbindOnExtraLegsAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or TimeoutException)
        {
            // That leg's session is ending; the edge drops the tunnel with it.
        }

        if (tunnel.TunnelId is { } id && _loop.Live is { } live)
        {
            try
            {
                await live.UnbindAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or TimeoutException)
            {
                // The session is ending; the edge drops the tunnel with it.
            }
        }

        _events.Raise(new TunnelStopped(name));
        return true;
    }

    private static TunnelStatus StatusOf(ActiveTunnel tunnel)
    {
        TunnelDefinition definition = tunnel.Definition;
        return new TunnelStatus(
            definition.Name, definition.Proto, tunnel.Urls, tunnel.Display, definition.Options.Inspect,
            tunnel.Connections.Snapshot(), tunnel.Requests.Snapshot())
        {
            Pooling = definition.Pooling,
        };
    }
}

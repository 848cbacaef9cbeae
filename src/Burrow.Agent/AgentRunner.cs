using System.Collections.Concurrent;
using System.Globalization;
using Burrow.Agent.Forwarding;
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
public sealed partial class AgentRunner
{
    /// <summary>The agent's version, sent to the edge: the build's, see <see cref="BurrowVersion"/>.</summary>
    public static string Version => BurrowVersion.Current;

    private static readonly TimeSpan AuthTimeout = TimeSpan.FromSeconds(15);

    // Tries before a failure that retrying cannot mend (unknown host, untrusted certificate) stops the agent.
    private const int HopelessAttempts = 3;

    private readonly AgentOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _outputLock = new();
    private readonly TunnelTable _tunnels = new();
    private readonly string? _statePath;
    private SessionState _state = new();
    private bool _everOnline;
    private SessionStatus _session = SessionStatus.Connecting;
    private string? _reason;

    /// <summary>Creates a runner.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="logger">Diagnostics; none by default.</param>
    public AgentRunner(AgentOptions options, ILogger<AgentRunner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _statePath = SessionState.PathFor(options);
    }

    /// <summary>The round-trip time to the edge measured by the last keepalive ping.</summary>
    public TimeSpan? Latency { get; private set; }

    /// <summary>The inspector's and agent API's base URL (e.g. <c>http://127.0.0.1:4040</c>) once it listens; <see langword="null"/> before, or when there is none.</summary>
    public string? WebInterfaceUrl { get; private set; }

    /// <summary>Raised for every HTTP request the agent saw answered (by the inspector's forwarder), on the thread that saw it.</summary>
    public event Action<CompletedRequest>? RequestCompleted;

    /// <summary>Reads where the session stands, the link's latency and every tunnel with its counters.</summary>
    public AgentStatus GetStatus()
    {
        ActiveTunnel[] active = _tunnels.Snapshot();
        var tunnels = new List<TunnelStatus>(active.Length);
        foreach (ActiveTunnel tunnel in active)
        {
            TunnelDefinition definition = tunnel.Definition;
            tunnels.Add(new TunnelStatus(
                definition.Name, definition.Proto, tunnel.Urls, tunnel.Display, definition.Options.Inspect,
                tunnel.Connections.Snapshot(), tunnel.Requests.Snapshot()));
        }

        return new AgentStatus(_session, _reason, Version, _options.ServerAddress, _state.SessionId, Latency, tunnels);
    }

    /// <summary>Counts a completed HTTP request on its tunnel and tells <see cref="RequestCompleted"/>'s listeners.</summary>
    internal void ReportRequest(string tunnelName, CompletedRequest request)
    {
        foreach (ActiveTunnel tunnel in _tunnels.Snapshot())
        {
            if (tunnel.Definition.Name == tunnelName)
            {
                tunnel.RequestInspected(request.Duration, request.Replay, _edgeCountsClients);
                break;
            }
        }

        RequestCompleted?.Invoke(request);
    }

    /// <summary>Runs until cancelled (exit code 0) or until a permanent error such as a refused authtoken (exit code 1).</summary>
    /// <param name="cancellationToken">Stops the agent.</param>
    /// <returns>The process exit code.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var fileServers = new List<StaticFileServer>();
        using CancellationTokenRegistration stopping = cancellationToken.UnsafeRegister(
            static runner => ((AgentRunner)runner!).SetSession(SessionStatus.Stopping, null), this);
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

            _state = SessionState.Load(_statePath);
            await StartWebAsync(cancellationToken).ConfigureAwait(false);
            return await ReconnectLoopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            SetSession(SessionStatus.Stopped, null);
            await StopWebAsync().ConfigureAwait(false);
            foreach (StaticFileServer files in fileServers)
            {
                await files.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<int> ReconnectLoopAsync(CancellationToken cancellationToken)
    {
        var backoff = new Backoff(_options.MinReconnectDelay, _options.MaxReconnectDelay);
        int hopeless = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
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

                hopeless = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException
                or OperationCanceledException or TimeoutException or MuxException or ProtocolException or InvalidOperationException)
            {
                // A name that does not resolve or a certificate not trusted stays that way: after a few tries, say what
                // to change and stop, unless asked to keep trying.
                if (Hopeless(ex) is { } error)
                {
                    if (++hopeless >= HopelessAttempts && !_options.RetryForever)
                    {
                        SayError(error);
                        return 1;
                    }

                    Say($"{error.Code}: {error.Message}");
                    SetSession(SessionStatus.Reconnecting, error.Message.TrimEnd('.'));
                }
                else
                {
                    hopeless = 0;
                    string reason = ex is System.Security.Authentication.AuthenticationException auth
                        ? $"TLS handshake failed: {auth.InnerException?.Message ?? auth.Message}"
                        : ex is OperationCanceledException or TimeoutException ? "timed out" : ex.Message;
                    Say($"Cannot reach the edge at {_options.ServerAddress}: {reason.TrimEnd('.')}.");
                    SetSession(SessionStatus.Reconnecting, $"cannot reach the edge: {reason.TrimEnd('.')}");
                }
            }

            TimeSpan delay = backoff.Next();
            Say(string.Create(CultureInfo.InvariantCulture, $"Reconnecting in {delay.TotalSeconds:0.0} s (attempt {backoff.Attempt})..."));
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

    private ProtocolError? Hopeless(Exception ex)
    {
        if (ex is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.NoData } dns)
        {
            string host = EdgeConnector.SplitHostPort(_options.ServerAddress).Host;
            return ErrorCodes.EdgeHostNotFound.ToError(host, dns.Message.TrimEnd('.'));
        }

        return ex is EdgeCertificateRejectedException rejected
            ? ErrorCodes.EdgeCertificateUntrusted.ToError(_options.ServerAddress, rejected.Message)
            : null;
    }

    private async Task<ConnectionOutcome> RunConnectionAsync(CancellationToken cancellationToken)
    {
        var ssl = await EdgeConnector.ConnectAsync(_options, cancellationToken).ConfigureAwait(false);
        var mux = MuxSession.Client(ssl, new MuxOptions { EnableKeepAlive = false });
        await using (mux.ConfigureAwait(false))
        {
            MuxStream control = await mux.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
            var reader = new ControlMessageReader(control);
            using var writer = new ControlMessageWriter(control);
            string? resumeId = _state.SessionId;
            await writer.WriteAsync(new AuthMessage
            {
                ProtocolVersion = BurrowProtocol.CurrentVersion,
                Authtoken = _options.Authtoken,
                Agent = new AgentInfo { Name = "burrow", Version = Version, Os = OperatingSystemName() },
                ResumeSessionId = resumeId,
                Features = ProtocolFeatures.All,
            }, cancellationToken).ConfigureAwait(false);

            ControlMessage? first = await reader.ReadAsync(cancellationToken).AsTask().WaitAsync(AuthTimeout, cancellationToken).ConfigureAwait(false);
            if (first is not AuthResultMessage authResult)
            {
                throw new IOException(first is null ? "the edge closed the connection during authentication" : $"the edge answered auth with '{first.Type}'");
            }

            if (authResult.Error is { } refused)
            {
                if (ErrorCodes.MissingAuthtoken.Matches(refused) || ErrorCodes.InvalidAuthtoken.Matches(refused)
                    || ErrorCodes.AuthtokenRevoked.Matches(refused) || ErrorCodes.AuthtokenExpired.Matches(refused)
                    || ErrorCodes.ProtocolVersionUnsupported.Matches(refused))
                {
                    SayError(refused);
                    return new ConnectionOutcome(false, 1);
                }

                Say($"The edge refused the session: {refused}");
                SetSession(SessionStatus.Reconnecting, $"the edge refused the session: {refused}");
                return new ConnectionOutcome(false, null);
            }

            _edgeCountsClients = ProtocolFeatures.Has(authResult.Features, ProtocolFeatures.TunnelStats);
            bool resumed = resumeId is not null && resumeId == authResult.SessionId;
            _state.SessionId = authResult.SessionId;
            _state.Save(_statePath);

            // Restored before proxy streams are accepted: on a resume the edge routes requests to this
            // connection at once, and a stream for a tunnel not yet known here would be reset (a 502).
            bool restored = resumed && TryRestoreTunnels();
            if (!restored)
            {
                _restoredFromState.Clear();
            }

            using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var pendingBinds = new ConcurrentDictionary<string, TaskCompletionSource<BindResultMessage>>(StringComparer.Ordinal);
            Task controlLoop = ControlLoopAsync(reader, pendingBinds, session);
            var proxyStreams = new ProxyStreamHandler(
                _tunnels.FindById, _edgeCountsClients, _inspector, error => SayError(error, hint: false), _logger);
            Task acceptLoop = proxyStreams.AcceptLoopAsync(mux, session.Token);
            Task<bool> heartbeat = HeartbeatAsync(mux, authResult, session.Token);

            int? exit = restored
                ? AnnounceResumed()
                : await BindAllAsync(writer, pendingBinds, session.Token).ConfigureAwait(false);
            if (exit is not null)
            {
                return new ConnectionOutcome(false, exit);
            }

            _everOnline = true;
            SetSession(SessionStatus.Online, null);
            _live = new LiveSession(writer, pendingBinds, session.Token);
            // Online until the session ends (edge gone, keepalive lost, control stream closed) or the user stops.
            await Task.WhenAny(mux.Completion, controlLoop, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
            _live = null;
            await session.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(controlLoop, acceptLoop, heartbeat).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                return new ConnectionOutcome(true, 0);
            }

            string reason = await heartbeat.ConfigureAwait(false)
                ? "no keepalive answer from the edge"
                : mux.Completion.IsCompleted ? DescribeEnd(await mux.Completion.ConfigureAwait(false)) : "the edge closed the control stream";
            Say($"Lost the connection to the edge ({reason}).");
            SetSession(SessionStatus.Reconnecting, reason);
            return new ConnectionOutcome(true, null);
        }
    }

    private bool TryRestoreTunnels()
    {
        foreach (ActiveTunnel tunnel in _tunnels.Snapshot())
        {
            if (tunnel.TunnelId is null)
            {
                if (!_state.Tunnels.TryGetValue(tunnel.Definition.Name, out RememberedTunnel? remembered) || remembered.TunnelId.Length == 0)
                {
                    return false;
                }

                _tunnels.Bind(tunnel, remembered.TunnelId);
                tunnel.Urls = remembered.Urls;
                _restoredFromState.Add(tunnel);
            }
        }

        return true;
    }

    private int? AnnounceResumed()
    {
        Say(_everOnline ? "Reconnected to the edge; the session was resumed and the URLs are unchanged." : "Resumed the previous session; the URLs are unchanged.");
        // Printed after the line above, so that whoever waits for the URLs has seen why they are the same.
        foreach (ActiveTunnel tunnel in _restoredFromState)
        {
            PrintForwarding(tunnel);
        }

        _restoredFromState.Clear();
        return null;
    }

    private static string DescribeEnd(MuxCloseInfo info) => info.Reason switch
    {
        MuxCloseReason.TransportClosed => "the edge closed the connection",
        MuxCloseReason.KeepAliveTimeout => "no keepalive answer from the edge",
        MuxCloseReason.RemoteGoAway => "the edge ended the session",
        _ => info.Message,
    };

    private static string OperatingSystemName() =>
        OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "macos" : OperatingSystem.IsWindows() ? "windows" : "other";

    // Written by the reconnect loop only; readers take a possibly stale but consistent pair, which a status view can live with.
    private void SetSession(SessionStatus session, string? reason)
    {
        _reason = reason;
        _session = session;
    }

    private void Say(string line)
    {
        lock (_outputLock)
        {
            _options.Output.WriteLine(line);
            _options.Output.Flush();
        }
    }

    private void SayError(ProtocolError error, bool hint = true)
    {
        lock (_outputLock)
        {
            _options.ErrorOutput.WriteLine($"{error.Code}: {error.Message}");
            if (hint && error.Lookup() is { } known)
            {
                _options.ErrorOutput.WriteLine($"  {known.Hint}");
            }

            _options.ErrorOutput.Flush();
        }
    }

    private void PrintForwarding(ActiveTunnel tunnel)
    {
        foreach (string url in tunnel.Urls)
        {
            Say($"Forwarding {url} -> {tunnel.Display}");
            LogLine.Info(_logger, 6101, "started tunnel", ("name", tunnel.Definition.Name), ("addr", tunnel.Display), ("url", url));
        }
    }

    // Tunnels a fresh process took back from its saved state on a resume, until their URLs are printed.
    private readonly List<ActiveTunnel> _restoredFromState = [];

    private readonly record struct ConnectionOutcome(bool WasOnline, int? ExitCode);
}

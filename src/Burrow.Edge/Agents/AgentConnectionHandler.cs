using System.Net;
using Burrow.Edge.Access;
using Burrow.Edge.Routing;
using Burrow.Edge.Stats;
using Burrow.Mux.Errors;
using Burrow.Mux.Frames;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Versioning;
using Burrow.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Agents;

/// <summary>
/// Serves one agent connection (already inside TLS): runs the mux session, authenticates the
/// control stream, then answers binds until the connection ends.
/// </summary>
internal sealed partial class AgentConnectionHandler
{
    private static readonly TimeSpan AuthTimeout = TimeSpan.FromSeconds(10);

    private readonly EdgeOptions _options;
    private readonly AgentAuthenticator _authenticator;
    private readonly AuditTrail _audit;
    private readonly SessionRegistry _sessions;
    private readonly TunnelBinder _binder;
    private readonly EdgeLifetime _lifetime;
    private readonly AuthFailureLimiter _authFailures;
    private readonly ILogger _logger;
    private readonly Telemetry.EdgeMetrics _metrics;
    private readonly Cluster.NodeAdvertisement _nodes;

    public AgentConnectionHandler(
        EdgeOptions options, AgentAuthenticator authenticator, AuditTrail audit, SessionRegistry sessions, TunnelBinder binder, EdgeLifetime lifetime,
        AuthFailureLimiter authFailures, Telemetry.EdgeMetrics metrics, Cluster.NodeAdvertisement nodes, ILogger<AgentConnectionHandler> logger)
    {
        _nodes = nodes;
        _metrics = metrics;
        _options = options;
        _authenticator = authenticator;
        _audit = audit;
        _sessions = sessions;
        _binder = binder;
        _lifetime = lifetime;
        _authFailures = authFailures;
        _logger = logger;
    }

    /// <summary>Serves an agent that came in through Kestrel (on the HTTPS port, by ALPN).</summary>
    public Task OnConnectedAsync(ConnectionContext connection)
    {
        string remote = connection.RemoteEndPoint?.ToString() ?? "unknown";
        // On shutdown Kestrel asks every connection to close; an agent's stays until the
        // requests in flight through it (and every other agent) have finished.
        var closeRequested = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        return RunAsync(MuxSession.Server(connection.Transport, CreateMuxOptions()), connection.RemoteEndPoint, remote, connection.ConnectionClosed, closeRequested);
    }

    /// <summary>Serves an agent from the agent listener: <paramref name="transport"/> is its TLS stream, which the session then owns.</summary>
    public Task ServeStreamAsync(Stream transport, EndPoint? remoteEndPoint, string remote, CancellationToken connectionClosed, CancellationToken closeRequested)
        => RunAsync(MuxSession.Server(transport, CreateMuxOptions()), remoteEndPoint, remote, connectionClosed, closeRequested);

    private MuxOptions CreateMuxOptions() => new()
    {
        KeepAliveInterval = _options.HeartbeatInterval + _options.HeartbeatTimeout,
        KeepAliveTimeout = _options.HeartbeatTimeout,
        Counters = _metrics.Mux,
    };

    private async Task RunAsync(MuxSession mux, EndPoint? remoteEndPoint, string remote, CancellationToken connectionClosed, CancellationToken closeRequested)
    {
        await using (mux.ConfigureAwait(false))
        {
            using var closing = CancellationTokenSource.CreateLinkedTokenSource(connectionClosed, _lifetime.Stopped);
            // Asked to close (the edge is stopping): the session stays until the requests in
            // flight through it (and every other agent) have finished.
            using var closeRegistration = closeRequested.Register(static s =>
            {
                var (lifetime, cts) = ((EdgeLifetime, CancellationTokenSource))s!;
                _ = lifetime.WaitForIdleAsync(lifetime.Stopped).ContinueWith(
                    static (_, c) => CancelQuietly((CancellationTokenSource)c!), cts, CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }, (_lifetime, closing));
            try
            {
                await ServeAsync(mux, remoteEndPoint, remote, closing.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ProtocolException or TimeoutException or InvalidOperationException)
            {
                Log.ConnectionEnded(_logger, remote, ex.Message);
            }
        }
    }

    private async Task ServeAsync(MuxSession mux, EndPoint? remoteEndPoint, string remote, CancellationToken cancellationToken)
    {
        MuxStream control = await mux.AcceptStreamAsync(cancellationToken).AsTask()
            .WaitAsync(AuthTimeout, cancellationToken).ConfigureAwait(false);
        var reader = new ControlMessageReader(control);
        using var writer = new ControlMessageWriter(control);
        var link = new BurrowAgentLink(mux, control, writer, remote);

        ControlMessage? first;
        try
        {
            first = await reader.ReadAsync(cancellationToken).AsTask()
                .WaitAsync(AuthTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (ProtocolException ex)
        {
            // Garbage instead of auth (bad JSON, a huge length, an unknown type) is answered with
            // its code before the connection closes, as any other refusal.
            await RefuseAsync(link, ex.ToProtocolError(), GoAwayCode.ProtocolError, remote, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (first is not AuthMessage auth)
        {
            await RefuseAsync(link, ErrorCodes.UnexpectedMessage.ToError($"expected auth first, got {first?.Type ?? "end of stream"}"), GoAwayCode.ProtocolError, remote, cancellationToken).ConfigureAwait(false);
            return;
        }

        AgentCredential? credential = null;
        ProtocolError? refusal = BurrowProtocol.CheckVersion(auth.ProtocolVersion);
        IPAddress address = (remoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        // Before the token is looked at: an address that has failed too often learns nothing more.
        if (refusal is null && _authFailures.CheckAllowed(address) is { } limited)
        {
            Log.AuthRateLimited(_logger, remote, limited.Code);
            await RefuseAsync(link, limited, GoAwayCode.Normal, remote, cancellationToken, logged: true).ConfigureAwait(false);
            return;
        }

        if (refusal is null)
        {
            (credential, refusal) = await _authenticator.AuthenticateAsync(auth.Authtoken, cancellationToken).ConfigureAwait(false);
            // A store outage is not the agent's doing: only a refused token counts toward the address's limit.
            if (refusal is not null && !ErrorCodes.StoreUnavailable.Matches(refusal))
            {
                _authFailures.RecordFailure(address);
            }
        }

        if (refusal is null && _lifetime.Draining)
        {
            refusal = _lifetime.DrainingError;
        }

        AgentSession? attached = null;
        bool resumed = false, resumeFailed = false;
        if (refusal is null)
        {
            (attached, resumed, resumeFailed, refusal) = await _sessions.AttachAsync(auth, credential!, link, cancellationToken).ConfigureAwait(false);
        }

        if (refusal is not null || attached is not { } session)
        {
            refusal ??= ErrorCodes.InternalError.ToError("no session");
            _audit.Write(new NewAuditEvent
            {
                Kind = AuditKinds.SessionRefused,
                AccountId = credential?.AccountId,
                AuthtokenId = credential?.AuthtokenId,
                Address = remote,
                Detail = refusal.ToString(),
            });
            await RefuseAsync(link, refusal, GoAwayCode.Normal, remote, cancellationToken).ConfigureAwait(false);
            return;
        }
        // Only to an agent that said it understands them: an older one ends the session on an unknown type.
        bool sendStats = ProtocolFeatures.Has(auth.Features, ProtocolFeatures.TunnelStats);
        using var statsStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task stats = Task.CompletedTask;
        try
        {
            await writer.WriteAsync(new AuthResultMessage
            {
                SessionId = session.Id,
                ServerVersion = EdgeServer.Version,
                HeartbeatIntervalMs = (int)_options.HeartbeatInterval.TotalMilliseconds,
                HeartbeatTimeoutMs = (int)_options.HeartbeatTimeout.TotalMilliseconds,
                ResumeGraceMs = (int)_options.ResumeGrace.TotalMilliseconds,
                Features = [.. sendStats ? [ProtocolFeatures.TunnelStats] : Array.Empty<string>(), .. ProtocolFeatures.Has(auth.Features, ProtocolFeatures.EdgeTls) ? [ProtocolFeatures.EdgeTls] : Array.Empty<string>()],
                Nodes = _nodes.Current(),
            }, cancellationToken).ConfigureAwait(false);
            if (resumeFailed)
            {
                await writer.WriteAsync(new NoticeMessage
                {
                    Kind = NoticeKinds.ResumeExpired,
                    Message = "The previous session could not be resumed; bind the tunnels again.",
                    Error = ErrorCodes.ResumeExpired.ToError(auth.ResumeSessionId),
                }, cancellationToken).ConfigureAwait(false);
            }

            if (_lifetime.Draining)
            {
                await link.TrySendAsync(_lifetime.DrainNotice, cancellationToken).ConfigureAwait(false);
            }

            _ = RefuseAgentStreamsAsync(mux);
            if (sendStats)
            {
                stats = TunnelStatsReporter.RunAsync(session, link, statsStop.Token, cancellationToken);
            }

            bool violated = await ControlLoopAsync(session, reader, link, cancellationToken).ConfigureAwait(false);
            await statsStop.CancelAsync().ConfigureAwait(false);
            await stats.ConfigureAwait(false);
            // The agent hung up its control stream, or broke the protocol and was told why: what
            // was sent leaves, then Go Away (1 for a violation, docs/protocol.md §4).
            await link.CloseAsync(violated ? GoAwayCode.ProtocolError : GoAwayCode.Normal, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await statsStop.CancelAsync().ConfigureAwait(false);
            await stats.ConfigureAwait(false);
            _sessions.Detach(session, link);
            Log.SessionLinkEnded(_logger, session.Id, resumed);
        }
    }

    /// <summary>Answers the agent's control messages until it closes the control stream (false) or breaks the protocol (true, after a notice saying how).</summary>
    private async Task<bool> ControlLoopAsync(AgentSession session, ControlMessageReader reader, BurrowAgentLink link, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The session ends on the mux completing too (a keepalive timeout, a takeover by a resume).
        _ = link.Mux.Completion.ContinueWith(static (_, s) => ((CancellationTokenSource)s!).Cancel(), stop, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        while (true)
        {
            ControlMessage? message;
            try
            {
                message = await reader.ReadAsync(stop.Token).ConfigureAwait(false);
            }
            catch (ProtocolException ex)
            {
                await link.TrySendAsync(new NoticeMessage
                {
                    Kind = NoticeKinds.ProtocolError,
                    Message = "Closing the session.",
                    Error = ex.ToProtocolError(),
                }, cancellationToken).ConfigureAwait(false);
                return true;
            }

            switch (message)
            {
                case null:
                    return false;
                case BindMessage bind:
                    BindResultMessage result = _lifetime.Draining
                        ? new BindResultMessage { RequestId = bind.RequestId, Error = _lifetime.DrainingError }
                        : await _binder.BindAsync(session, bind, stop.Token).ConfigureAwait(false);
                    await link.Writer.WriteAsync(result, stop.Token).ConfigureAwait(false);
                    break;
                case UnbindMessage unbind:
                    await link.Writer.WriteAsync(_binder.Unbind(session, unbind), stop.Token).ConfigureAwait(false);
                    break;
                default:
                    await link.TrySendAsync(new NoticeMessage
                    {
                        Kind = NoticeKinds.ProtocolError,
                        Message = "Closing the session.",
                        Error = ErrorCodes.UnexpectedMessage.ToError($"{message.Type} may not be sent by an agent"),
                    }, cancellationToken).ConfigureAwait(false);
                    return true;
            }
        }
    }

    /// <summary>Cancels <paramref name="source"/> unless it is disposed already (the connection ended on its own first).</summary>
    internal static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connection ended on its own first.
        }
    }

    private static async Task RefuseAgentStreamsAsync(MuxSession mux)
    {
        try
        {
            while (true)
            {
                MuxStream stream = await mux.AcceptStreamAsync().ConfigureAwait(false);
                stream.Abort();
            }
        }
        catch (MuxException)
        {
            // The session ended.
        }
    }

    private async Task RefuseAsync(BurrowAgentLink link, ProtocolError error, GoAwayCode goAway, string remote, CancellationToken cancellationToken, bool logged = false)
    {
        if (!logged)
        {
            Log.AgentRefused(_logger, remote, error.Code, error.Message);
        }

        _metrics.AuthFailed(error.Code);

        await link.Writer.WriteAsync(new AuthResultMessage { Error = error }, cancellationToken).ConfigureAwait(false);
        await link.CloseAsync(goAway, cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1000, EventName = "AgentRefused", Level = LogLevel.Warning, Message = "Agent from {RemoteAddress} refused: {Code} {Reason}")]
        public static partial void AgentRefused(ILogger logger, string remoteAddress, string code, string reason);

        [LoggerMessage(EventId = 1003, EventName = "AgentAuthRateLimited", Level = LogLevel.Warning,
            Message = "Agent from {RemoteAddress} refused without a token check: {Code} too many failed authentications from its address")]
        public static partial void AuthRateLimited(ILogger logger, string remoteAddress, string code);

        [LoggerMessage(EventId = 1002, EventName = "SessionLinkEnded", Level = LogLevel.Debug, Message = "Connection of session {SessionId} ended (it had resumed: {Resumed})")]
        public static partial void SessionLinkEnded(ILogger logger, string sessionId, bool resumed);

        [LoggerMessage(EventId = 1001, EventName = "AgentConnectionEnded", Level = LogLevel.Debug, Message = "Agent connection from {RemoteAddress} ended: {Reason}")]
        public static partial void ConnectionEnded(ILogger logger, string remoteAddress, string reason);
    }
}

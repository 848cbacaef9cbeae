using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Burrow.Edge.Access;
using Burrow.Edge.Agents;
using Burrow.Edge.Routing;
using Burrow.Mux.Frames;
using Burrow.Mux.Muxado;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Versioning;
using Burrow.Storage;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Ngrok;

/// <summary>
/// Serves one ngrok client (the SDKs, the ngrok agent) on the agent port: a muxado session whose
/// client-opened streams each carry one typed request. Heartbeats are echoed from the first byte
/// (the SDK beats before it authenticates); Auth, Bind and Unbind go through the same
/// authenticator, session registry and binder as a Burrow agent's, so tokens, scopes, quotas,
/// reservations, revocation, the admin API and the traffic log treat both alike.
/// </summary>
internal sealed partial class NgrokConnectionHandler
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    // A client that stops beating for longer than it said it would tolerate is gone; never before
    // this, whatever it said, so a client that asks for a tiny tolerance cannot get cut by jitter.
    private static readonly TimeSpan MinimumSilence = TimeSpan.FromSeconds(5);

    private readonly AgentAuthenticator _authenticator;
    private readonly AuditTrail _audit;
    private readonly SessionRegistry _sessions;
    private readonly TunnelBinder _binder;
    private readonly EdgeLifetime _lifetime;
    private readonly AuthFailureLimiter _authFailures;
    private readonly Telemetry.EdgeMetrics _metrics;
    private readonly NgrokBindTokens _tokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public NgrokConnectionHandler(
        EdgeOptions options, AgentAuthenticator authenticator, AuditTrail audit, SessionRegistry sessions, TunnelBinder binder, EdgeLifetime lifetime,
        AuthFailureLimiter authFailures, Telemetry.EdgeMetrics metrics, TimeProvider time, ILogger<NgrokConnectionHandler> logger)
    {
        _authenticator = authenticator;
        _audit = audit;
        _sessions = sessions;
        _binder = binder;
        _lifetime = lifetime;
        _authFailures = authFailures;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _tokens = NgrokBindTokens.Load(options.DataDirectory, logger);
    }

    /// <summary>Serves a client from the agent listener: <paramref name="transport"/> is its TLS stream, which the session then owns.</summary>
    public async Task ServeStreamAsync(Stream transport, EndPoint? remoteEndPoint, string remote, CancellationToken connectionClosed, CancellationToken closeRequested)
    {
        var mux = MuxadoSession.Server(transport);
        await using (mux.ConfigureAwait(false))
        {
            var connection = new Connection(this, new NgrokAgentLink(mux, remote), remoteEndPoint, remote);
            using var closing = CancellationTokenSource.CreateLinkedTokenSource(connectionClosed, _lifetime.Stopped);
            using var closeRegistration = closeRequested.Register(static s =>
            {
                var (lifetime, cts) = ((EdgeLifetime, CancellationTokenSource))s!;
                _ = lifetime.WaitForIdleAsync(lifetime.Stopped).ContinueWith(
                    static (_, c) => AgentConnectionHandler.CancelQuietly((CancellationTokenSource)c!), cts, CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }, (_lifetime, closing));
            try
            {
                await connection.RunAsync(closing.Token).ConfigureAwait(false);
            }
            finally
            {
                connection.Detach();
            }
        }
    }

    /// <summary>One client connection: its streams, its session once authenticated, its heartbeat watch.</summary>
    private sealed class Connection
    {
        private readonly NgrokConnectionHandler _handler;
        private readonly NgrokAgentLink _link;
        private readonly EndPoint? _remoteEndPoint;
        private readonly string _remote;
        private readonly ConcurrentDictionary<MuxadoStream, Task> _streams = new();
        private int _authStarted;
        private volatile AgentSession? _session; // set by the Auth stream, read by Bind and Unbind streams
        private long _allowedSilenceTicks = -1; // none until Auth says how often the client beats
        private long _lastBeat;

        public Connection(NgrokConnectionHandler handler, NgrokAgentLink link, EndPoint? remoteEndPoint, string remote)
        {
            _handler = handler;
            _link = link;
            _remoteEndPoint = remoteEndPoint;
            _remote = remote;
            _lastBeat = handler._time.GetTimestamp();
        }

        private MuxadoSession Mux => _link.Session;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            Task watch = WatchAsync(cancellationToken);
            try
            {
                while (true)
                {
                    MuxadoStream stream;
                    try
                    {
                        stream = await Mux.AcceptStreamAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
                    {
                        Log.ConnectionEnded(_handler._logger, _remote, ex.Message);
                        return;
                    }

                    _streams[stream] = ServeStreamAsync(stream, cancellationToken);
                }
            }
            finally
            {
                await Mux.DisposeAsync().ConfigureAwait(false);
                await Task.WhenAll(_streams.Values).ConfigureAwait(false);
                await watch.ConfigureAwait(false);
            }
        }

        public void Detach()
        {
            if (_session is { } session)
            {
                _handler._sessions.Detach(session, _link);
                Log.SessionLinkEnded(_handler._logger, session.Id);
            }
        }

        private async Task ServeStreamAsync(MuxadoStream stream, CancellationToken cancellationToken)
        {
            await Task.Yield();
            try
            {
                byte[] type = new byte[4];
                using (var first = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    first.CancelAfter(RequestTimeout);
                    await stream.ReadExactlyAsync(type, first.Token).ConfigureAwait(false);
                }

                switch (BinaryPrimitives.ReadUInt32BigEndian(type))
                {
                    case NgrokStreamTypes.Heartbeat:
                        await EchoAsync(stream, cancellationToken).ConfigureAwait(false);
                        break;
                    case NgrokStreamTypes.Auth:
                        await AuthenticateAsync(stream, cancellationToken).ConfigureAwait(false);
                        break;
                    case NgrokStreamTypes.Bind:
                        await BindAsync(stream, cancellationToken).ConfigureAwait(false);
                        break;
                    case NgrokStreamTypes.Unbind:
                        await UnbindAsync(stream, cancellationToken).ConfigureAwait(false);
                        break;
                    case var other:
                        Log.UnknownStreamType(_handler._logger, _remote, other);
                        stream.Abort();
                        break;
                }
            }
            catch (NgrokRequestException ex)
            {
                Log.BadRequest(_handler._logger, _remote, ex.Message);
                stream.Abort();
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or EndOfStreamException or TimeoutException)
            {
                stream.Abort();
            }
            finally
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                _streams.TryRemove(stream, out _);
            }
        }

        /// <summary>Echoes what the client sends (four random bytes per beat) until it closes the stream.</summary>
        private async Task EchoAsync(MuxadoStream stream, CancellationToken cancellationToken)
        {
            byte[] buffer = new byte[64];
            while (true)
            {
                int read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    stream.CompleteWrites();
                    return;
                }

                Interlocked.Exchange(ref _lastBeat, _handler._time.GetTimestamp());
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Closes a connection whose client stopped beating for longer than it said it would tolerate.</summary>
        private async Task WatchAsync(CancellationToken cancellationToken)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _handler._time);
            try
            {
                while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false) && !Mux.IsClosed)
                {
                    var allowed = TimeSpan.FromTicks(Interlocked.Read(ref _allowedSilenceTicks));
                    if (allowed > TimeSpan.Zero && _handler._time.GetElapsedTime(Interlocked.Read(ref _lastBeat)) > allowed)
                    {
                        Log.HeartbeatsStopped(_handler._logger, _remote, (long)allowed.TotalSeconds);
                        await Mux.DisposeAsync().ConfigureAwait(false);
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The connection ended.
            }
        }

        private async Task AuthenticateAsync(MuxadoStream stream, CancellationToken cancellationToken)
        {
            using JsonDocument request = await ReadAsync(stream, cancellationToken).ConfigureAwait(false);
            NgrokAuthRequest auth = NgrokAuthRequest.Parse(request.RootElement);
            // One Auth per connection: a second one (even while the first is checked) is refused.
            if (Interlocked.Exchange(ref _authStarted, 1) == 1)
            {
                throw new NgrokRequestException("a second Auth on a connection that already sent one");
            }

            (AgentSession? session, ProtocolError? refusal) = await AttachAsync(auth, cancellationToken).ConfigureAwait(false);
            if (session is null)
            {
                refusal ??= ErrorCodes.InternalError.ToError("no session");
                Log.ClientRefused(_handler._logger, _remote, refusal.Code, refusal.Message);
                _handler._metrics.AuthFailed(refusal.Code);
                await NgrokRpc.AnswerAsync(stream, json => WriteAuthAnswer(json, auth, null, refusal), cancellationToken).ConfigureAwait(false);
                // The SDK rejects forward() and the Go agent exits on this answer; both hang up.
                await _link.CloseAsync(GoAwayCode.Normal, cancellationToken).ConfigureAwait(false);
                return;
            }

            _session = session;
            if (auth.HeartbeatInterval > TimeSpan.Zero)
            {
                TimeSpan silence = auth.HeartbeatInterval + auth.HeartbeatTolerance;
                Interlocked.Exchange(ref _allowedSilenceTicks, (silence < MinimumSilence ? MinimumSilence : silence).Ticks);
            }

            await NgrokRpc.AnswerAsync(stream, json => WriteAuthAnswer(json, auth, session, null), cancellationToken).ConfigureAwait(false);
        }

        private async Task<(AgentSession?, ProtocolError?)> AttachAsync(NgrokAuthRequest auth, CancellationToken cancellationToken)
        {
            IPAddress address = (_remoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
            if (_handler._authFailures.CheckAllowed(address) is { } limited)
            {
                return (null, limited);
            }

            (AgentCredential? credential, ProtocolError? refusal) = await _handler._authenticator.AuthenticateAsync(auth.Authtoken, cancellationToken).ConfigureAwait(false);
            if (refusal is not null && !ErrorCodes.StoreUnavailable.Matches(refusal))
            {
                _handler._authFailures.RecordFailure(address);
            }

            if (refusal is null && _handler._lifetime.Draining)
            {
                refusal = ErrorCodes.EdgeDraining.ToError();
            }

            AgentSession? session = null;
            if (refusal is null)
            {
                var message = new AuthMessage
                {
                    ProtocolVersion = BurrowProtocol.CurrentVersion,
                    Authtoken = auth.Authtoken,
                    Agent = auth.Agent,
                    // The ClientId of an earlier answer is the session id: a reconnect within the grace period resumes it.
                    ResumeSessionId = auth.ClientId.Length > 0 ? auth.ClientId : null,
                };
                (session, _, _, refusal) = await _handler._sessions.AttachAsync(message, credential!, _link, cancellationToken).ConfigureAwait(false);
            }

            if (session is null)
            {
                _handler._audit.Write(new NewAuditEvent
                {
                    Kind = AuditKinds.SessionRefused,
                    AccountId = credential?.AccountId,
                    AuthtokenId = credential?.AuthtokenId,
                    Address = _remote,
                    Detail = (refusal ?? ErrorCodes.InternalError.ToError("no session")).ToString(),
                });
            }

            return (session, refusal);
        }

        private async Task BindAsync(MuxadoStream stream, CancellationToken cancellationToken)
        {
            using JsonDocument request = await ReadAsync(stream, cancellationToken).ConfigureAwait(false);
            NgrokBindRequest bind = NgrokBindRequest.Parse(request.RootElement);
            (Tunnel? tunnel, ProtocolError? error) = _session is not { } session
                ? (null, ErrorCodes.UnexpectedMessage.ToError("Bind before a successful Auth"))
                : bind.Refusal is { } refused ? (null, refused)
                : _handler._lifetime.Draining ? (null, ErrorCodes.EdgeDraining.ToError())
                : await BindTunnelAsync(session, bind, cancellationToken).ConfigureAwait(false);
            if (tunnel is not null)
            {
                _link.Bound(tunnel.Id, bind.Proto, bind.ProxyProtocolVersion);
                Log.TunnelBound(_handler._logger, tunnel.Id, tunnel.Hostname, bind.Proto, _session!.Id, tunnel.ForwardsTo ?? "");
            }
            else
            {
                Log.BindRefused(_handler._logger, _remote, error!.Code, error.Message);
            }

            await NgrokRpc.AnswerAsync(stream, json => WriteBindAnswer(json, bind, tunnel, error), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// A bind with a token this edge signed is a reconnect: the tunnel is still held (a resumed
        /// session), or it is bound again with the same id and name (after the grace period, or an
        /// edge restart); a random name that another agent took meanwhile gives way to a new one.
        /// </summary>
        private async Task<(Tunnel?, ProtocolError?)> BindTunnelAsync(AgentSession session, NgrokBindRequest request, CancellationToken cancellationToken)
        {
            BindMessage bind = request.Bind!;
            NgrokBindTokens.Claim? claim = request.Token.Length > 0 ? _handler._tokens.Read(request.Token) : null;
            if (claim is not null && (request.Id.Length == 0 || request.Id == claim.TunnelId))
            {
                if (session.Tunnels.FirstOrDefault(t => t.Id == claim.TunnelId) is { } held)
                {
                    return (held, null);
                }

                // Only a name the edge picked is given up when it cannot be had again; one the client asked for is its to keep or lose.
                bool picked = bind.Proto == TunnelProtocols.Tcp ? bind.RemotePort is null : bind.Hostname is null && bind.Subdomain is null;
                BindMessage again = !picked ? bind
                    : bind.Proto == TunnelProtocols.Tcp ? bind with { RemotePort = PortOf(claim.Target) }
                    : bind with { Hostname = claim.Target };
                BindResultMessage rebound = await _handler._binder.BindAsync(session, again, cancellationToken, claim.TunnelId).ConfigureAwait(false);
                if (rebound.Error is null || !picked)
                {
                    return Result(session, rebound);
                }

                Log.NameNotKept(_handler._logger, claim.Target, rebound.Error.Code);
            }

            return Result(session, await _handler._binder.BindAsync(session, bind, cancellationToken).ConfigureAwait(false));
        }

        private static (Tunnel?, ProtocolError?) Result(AgentSession session, BindResultMessage result) =>
            result.Error is { } error ? (null, error)
            : session.Tunnels.FirstOrDefault(t => t.Id == result.TunnelId) is { } tunnel ? (tunnel, null)
            : (null, ErrorCodes.InternalError.ToError("the tunnel was bound and is gone"));

        private static int? PortOf(string tcpUrl)
        {
            int colon = tcpUrl.LastIndexOf(':');
            return colon > 0 && int.TryParse(tcpUrl.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) ? port : null;
        }

        private async Task UnbindAsync(MuxadoStream stream, CancellationToken cancellationToken)
        {
            using JsonDocument request = await ReadAsync(stream, cancellationToken).ConfigureAwait(false);
            string id = NgrokJson.String(request.RootElement, "Id");
            string error = "";
            if (_session is not { } session)
            {
                error = NgrokErrors.Format(ErrorCodes.UnexpectedMessage.ToError("Unbind before a successful Auth"));
            }
            else if (session.Tunnels.Any(t => t.Id == id))
            {
                _handler._binder.Unbind(session, new UnbindMessage { TunnelId = id });
                _link.Unbound(id);
            }
            else
            {
                error = NgrokErrors.Format(ErrorCodes.TunnelNotFound.ToError(id));
            }

            await NgrokRpc.AnswerAsync(stream, json =>
            {
                json.WriteStartObject();
                json.WriteString("Error", error);
                json.WriteEndObject();
            }, cancellationToken).ConfigureAwait(false);
        }

        private static async Task<JsonDocument> ReadAsync(MuxadoStream stream, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(RequestTimeout);
            try
            {
                return await NgrokRpc.ReadRequestAsync(stream, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new NgrokRequestException($"the request did not arrive whole within {RequestTimeout.TotalSeconds:0} s");
            }
        }

        private static void WriteAuthAnswer(Utf8JsonWriter json, NgrokAuthRequest auth, AgentSession? session, ProtocolError? error)
        {
            json.WriteStartObject();
            json.WriteString("Version", auth.AnswerVersion);
            json.WriteString("ClientId", session?.Id ?? "");
            json.WriteString("Error", error is null ? "" : NgrokErrors.Format(error));
            json.WriteStartObject("Extra");
            json.WriteString("Version", EdgeServer.Version);
            json.WriteString("Region", "burrow");
            json.WriteString("Cookie", session?.Id ?? "");
            json.WriteString("AccountName", session?.Credential.AccountId ?? "");
            json.WriteNumber("SessionDuration", 0);
            json.WriteString("PlanName", "self-hosted");
            json.WriteString("Banner", "");
            json.WriteEndObject();
            json.WriteEndObject();
        }

        private void WriteBindAnswer(Utf8JsonWriter json, NgrokBindRequest bind, Tunnel? tunnel, ProtocolError? error)
        {
            json.WriteStartObject();
            json.WriteString("Id", tunnel?.Id ?? "");
            json.WriteString("URL", tunnel is null ? "" : UrlFor(tunnel, bind.Proto));
            json.WriteString("Proto", bind.Proto);
            json.WritePropertyName("Opts");
            if (bind.Opts.ValueKind == JsonValueKind.Undefined)
            {
                json.WriteNullValue();
            }
            else
            {
                bind.Opts.WriteTo(json);
            }

            json.WriteString("Error", error is null ? "" : NgrokErrors.Format(error));
            json.WriteStartObject("Extra");
            json.WriteString("Token", tunnel is null ? "" : _handler._tokens.Create(new NgrokBindTokens.Claim(tunnel.Id, bind.Proto, tunnel.Hostname)));
            json.WriteEndObject();
            json.WriteEndObject();

        }

        /// <summary>The tunnel's URL in the scheme the client bound (an https bind gets the https URL).</summary>
        private static string UrlFor(Tunnel tunnel, string proto)
        {
            string prefix = proto + "://";
            IReadOnlyList<string> urls = tunnel.Urls;
            return urls.FirstOrDefault(u => u.StartsWith(prefix, StringComparison.Ordinal)) ?? (urls.Count > 0 ? urls[0] : "");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1700, EventName = "NgrokClientRefused", Level = LogLevel.Warning, Message = "ngrok client from {RemoteAddress} refused: {Code} {Reason}")]
        public static partial void ClientRefused(ILogger logger, string remoteAddress, string code, string reason);

        [LoggerMessage(EventId = 1701, EventName = "NgrokConnectionEnded", Level = LogLevel.Debug, Message = "ngrok client connection from {RemoteAddress} ended: {Reason}")]
        public static partial void ConnectionEnded(ILogger logger, string remoteAddress, string reason);

        [LoggerMessage(EventId = 1702, EventName = "NgrokSessionLinkEnded", Level = LogLevel.Debug, Message = "Connection of ngrok session {SessionId} ended")]
        public static partial void SessionLinkEnded(ILogger logger, string sessionId);

        [LoggerMessage(EventId = 1703, EventName = "NgrokUnknownStreamType", Level = LogLevel.Debug, Message = "ngrok client {RemoteAddress} opened a stream of unknown type {StreamType}; reset")]
        public static partial void UnknownStreamType(ILogger logger, string remoteAddress, uint streamType);

        [LoggerMessage(EventId = 1704, EventName = "NgrokBadRequest", Level = LogLevel.Information, Message = "ngrok client {RemoteAddress} sent a request the edge cannot read ({Reason}); its stream was reset")]
        public static partial void BadRequest(ILogger logger, string remoteAddress, string reason);

        [LoggerMessage(EventId = 1705, EventName = "NgrokHeartbeatsStopped", Level = LogLevel.Information, Message = "ngrok client {RemoteAddress} sent no heartbeat for {Seconds} s; closing its connection")]
        public static partial void HeartbeatsStopped(ILogger logger, string remoteAddress, long seconds);

        [LoggerMessage(EventId = 1706, EventName = "NgrokTunnelBound", Level = LogLevel.Information, Message = "Tunnel {TunnelId} ({Hostname}, ngrok {Proto}, forwards to {ForwardsTo}) bound for ngrok session {SessionId}")]
        public static partial void TunnelBound(ILogger logger, string tunnelId, string hostname, string proto, string sessionId, string forwardsTo);

        [LoggerMessage(EventId = 1707, EventName = "NgrokBindRefused", Level = LogLevel.Information, Message = "Bind of ngrok client {RemoteAddress} refused: {Code} {Reason}")]
        public static partial void BindRefused(ILogger logger, string remoteAddress, string code, string reason);

        [LoggerMessage(EventId = 1708, EventName = "NgrokNameNotKept", Level = LogLevel.Information, Message = "An ngrok client asked for {Target} again after a reconnect and could not have it ({Code}); it gets a new name")]
        public static partial void NameNotKept(ILogger logger, string target, string code);
    }
}

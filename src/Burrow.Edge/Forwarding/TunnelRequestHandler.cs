using System.Diagnostics;
using System.Net.Http;
using Burrow.Edge.Agents;
using Burrow.Edge.Errors;
using Burrow.Edge.Policy;
using Burrow.Edge.Policy.Actions;
using Burrow.Edge.Routing;
using Burrow.Edge.Routing.Pooling;
using Burrow.Edge.Stats;
using Burrow.Edge.Telemetry;
using Burrow.Edge.Traffic;
using Burrow.Mux.Errors;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Storage.Routes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Burrow.Edge.Forwarding;

/// <summary>
/// Serves every public request: finds where it goes by Host (<see cref="RequestRouter"/>), then forwards it there —
/// to a tunnel here (its policy, then YARP over a proxy stream) or over the node link to the node that holds it — and
/// turns failures into error answers a user can act on.
/// </summary>
internal sealed partial class TunnelRequestHandler : IDisposable
{
    // Proxy streams one tunnel may hold open at once; more requests wait for a free one instead
    // of failing. It stays well under the mux's 4096 concurrent streams per agent session
    // (MuxOptions.MaxConcurrentStreams), which both ends enforce: 10,000 keep-alive clients on one
    // tunnel used to open a stream each and get 502s past that limit (bench/peers, issue 7).
    // Upgraded connections (WebSockets) hold a stream each, so the cap is generous.
    internal const int MaxProxyStreamsPerTunnel = 2048;

    // Members one pooled request may be tried on: bounded so that a pool whose every upstream is down answers quickly.
    private const int MaxPoolAttempts = 3;

    private readonly IHttpForwarder _forwarder;
    private readonly EdgeLifetime _lifetime;
    private readonly EdgeOptions _options;
    private readonly ILogger _logger;
    private readonly EdgeMetrics _metrics;
    private readonly HttpMessageInvoker _invoker;
    // For tunnels whose upstream closes after each response (HTTP/1.0's default): proxy streams are never pooled, see
    // UpstreamConnectionReuse. Unlike the agent's inspector, the edge pools from the first request: a proxy stream
    // that goes back to the pool before its response taught the tunnel is rare here (inspection off, 0-6 in 2,000
    // before this), and pooling from the start keeps the edge's steady state what it was.
    private readonly HttpMessageInvoker _unpooledInvoker;
    private readonly Cluster.RemoteRequests? _remote;
    private readonly RequestRouter _router;

    public TunnelRequestHandler(
        TunnelRegistry tunnels, IHttpForwarder forwarder, ProxyStreamConnector connector, EdgeLifetime lifetime, EdgeOptions options, EdgeMetrics metrics,
        ILogger<TunnelRequestHandler> logger, Cluster.RemoteRequests? remote = null)
    {
        _remote = remote;
        _router = new RequestRouter(tunnels, remote);
        _metrics = metrics;
        _forwarder = forwarder;
        _lifetime = lifetime;
        _options = options;
        _logger = logger;
        _invoker = CreateInvoker(connector, pooled: true);
        _unpooledInvoker = CreateInvoker(connector, pooled: false);
    }

    private static HttpMessageInvoker CreateInvoker(ProxyStreamConnector connector, bool pooled) =>
        new(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = null,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            // Zero: a proxy stream carries one request and is closed.
            PooledConnectionLifetime = pooled ? Timeout.InfiniteTimeSpan : TimeSpan.Zero,
            // Proxy streams are cheap, but one h2c stream carries many requests; a wider window
            // keeps a single download from stalling on window updates.
            InitialHttp2StreamWindowSize = 1024 * 1024,
            ConnectCallback = connector.ConnectAsync,
            MaxConnectionsPerServer = MaxProxyStreamsPerTunnel,
        }, disposeHandler: true);

    /// <summary>Answers what no tunnel may see (oversized headers or body), finds where the request goes, and forwards it there.</summary>
    /// <remarks>Not <see langword="async"/>: it returns the task of the path taken, so a request pays for one state machine, not two.</remarks>
    public Task HandleAsync(HttpContext context)
    {
        // Carried here by another node of the cluster: the client as that node saw it.
        bool relayed = Cluster.RelayListener.Of(context) is not null;
        if (relayed)
        {
            Cluster.RelayedRequest.Apply(context);
        }

        // Answered before routing: a flood costs the edge no lookup and reaches no agent.
        if (RequestLimits.CheckHeaders(context.Request, _options) is { } tooLarge)
        {
            return ErrorResponder.WriteAsync(context, ErrorCodes.RequestHeadersTooLarge, tooLarge);
        }

        if (_options.MaxRequestBodySize is { } maxBody && context.Request.ContentLength > maxBody)
        {
            return ErrorResponder.WriteAsync(context, ErrorCodes.RequestBodyTooLarge, ErrorCodes.RequestBodyTooLarge.FormatMessage(maxBody));
        }

        string host = context.Request.Host.Host.TrimEnd('.');
        RequestRoute route = _router.Find(host, relayed);
        if (route.IsHere)
        {
            return ForwardHereAsync(context, host, route.Pool, route.Tunnel);
        }

        if (route.IsOnOtherNode)
        {
            return ForwardToNodeAsync(context, route.Node);
        }

        return ErrorResponder.WriteAsync(context, ErrorCodes.TunnelNotFound, ErrorCodes.TunnelNotFound.FormatMessage(host));
    }

    /// <summary>Carries the request over the node link to the node that holds its tunnel, which serves it as its own.</summary>
    private async Task ForwardToNodeAsync(HttpContext context, RouteRow node)
    {
        _lifetime.RequestStarted();
        try
        {
            await _remote!.ForwardAsync(context, node, IsLongLived(context)).ConfigureAwait(false);
        }
        finally
        {
            _lifetime.RequestEnded();
        }
    }

    /// <summary>
    /// Serves the request through <paramref name="tunnel"/> of this node; a pooled request that failed before any byte
    /// reached an upstream goes to another member of <paramref name="pool"/>, each member once at most.
    /// </summary>
    private async Task ForwardHereAsync(HttpContext context, string host, TunnelPool pool, Tunnel tunnel)
    {
        HstsHeader.AddOnStart(context, tunnel);
        int attemptsLeft = pool.Pooled ? Math.Min(pool.Members.Count, MaxPoolAttempts) : 1;
        while (!await ServeAsync(context, tunnel, retryAllowed: --attemptsLeft > 0).ConfigureAwait(false))
        {
            Tunnel failed = tunnel;
            if (pool.Pick(except: failed) is not { } next || next.IsAvailable(next.Session.Time.GetUtcNow()) == false)
            {
                // No other member can take it: the failure is answered as it is.
                await ReportAsync(context, failed, failed.Session.Link, ForwarderError.Request).ConfigureAwait(false);
                return;
            }

            Log.RetriedOnAnotherMember(_logger, host, failed.Id, next.Id);
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.Clear();
            tunnel = next;
        }
    }

    /// <summary>
    /// Serves the request through <paramref name="tunnel"/>: its policy, then the forwarder. False only when
    /// <paramref name="retryAllowed"/> and the forward failed before any byte reached an upstream, with no request body
    /// that could not be sent again: the caller may give it to another member of the pool. The error is then still
    /// on the request (<see cref="IForwarderErrorFeature"/>), unanswered.
    /// </summary>
    private async Task<bool> ServeAsync(HttpContext context, Tunnel tunnel, bool retryAllowed)
    {
        long arrived = tunnel.Session.Time.GetTimestamp();
        if (!tunnel.Policy.IsAddressAllowed(context.Connection.RemoteIpAddress))
        {
            string ip = context.Connection.RemoteIpAddress is { IsIPv4MappedToIPv6: true } mapped
                ? mapped.MapToIPv4().ToString()
                : context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            await ErrorResponder.WriteAsync(context, ErrorCodes.IpDenied, ErrorCodes.IpDenied.FormatMessage(ip)).ConfigureAwait(false);
            RequestTraffic.Refused(context, tunnel, arrived);
            return true;
        }

        if (tunnel.MutualTls is { } mutualTls && Tls.ClientCertificateGate.Check(context, tunnel, mutualTls) is { } refusal)
        {
            // A page rather than a failed handshake: see HandshakeClientCertificate.Observe.
            Log.ClientCertificateRefused(_logger, tunnel.Hostname, refusal.Code.Code, refusal.Message);
            await ErrorResponder.WriteAsync(context, refusal.Code, refusal.Message).ConfigureAwait(false);
            RequestTraffic.Refused(context, tunnel, arrived);
            return true;
        }

        if (!tunnel.Policy.IsAuthorized(context.Request))
        {
            await ErrorResponder.WriteAsync(context, ErrorCodes.BasicAuthRequired, ErrorCodes.BasicAuthRequired.FormatMessage()).ConfigureAwait(false);
            RequestTraffic.Refused(context, tunnel, arrived);
            return true;
        }

        if (tunnel.TrafficPolicy is { } trafficPolicy && !await TrafficPolicyAllowsAsync(context, tunnel, trafficPolicy).ConfigureAwait(false))
        {
            RequestTraffic.Refused(context, tunnel, arrived);
            return true;
        }

        if (tunnel.Session.Link is not { } link)
        {
            await ErrorResponder.WriteAsync(context, ErrorCodes.AgentSessionGone, ErrorCodes.AgentSessionGone.FormatMessage(tunnel.Hostname)).ConfigureAwait(false);
            RequestTraffic.Refused(context, tunnel, arrived);
            return true;
        }

        if (_lifetime.Draining && context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true)
        {
            await ErrorResponder.WriteAsync(context, ErrorCodes.EdgeDraining, ErrorCodes.EdgeDraining.FormatMessage()).ConfigureAwait(false);
            RequestTraffic.Refused(context, tunnel, arrived);
            return true;
        }

        // Bodies of any size stream through unless the operator set a limit; Kestrel's 30 MB default is for apps, not proxies.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = _options.MaxRequestBodySize;
        }

        bool longLived = IsLongLived(context);
        if (longLived && context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRate)
        {
            // A gRPC or event stream may stay silent for minutes by design; the rate guards uploads.
            minRate.MinDataRate = null;
        }

        tunnel.Counters.AddRequest();
        // Counted where the request goes to the agent: a request the policy refused never reached it.
        ClientConnections.Of(context)?.Touch(tunnel.Clients);
        long started = tunnel.Session.Time.GetTimestamp();
        RequestTraffic traffic = RequestTraffic.Forwarded(context, tunnel, arrived);
        Activity? span = EdgeTracing.StartForward(context, tunnel);
        _lifetime.RequestStarted();
        try
        {
            ForwarderError error;
            tunnel.Health.Started();
            try
            {
                error = await _forwarder.SendAsync(
                    context, tunnel.DestinationPrefix, tunnel.UpstreamReuse.ClosesAfterEachResponse ? _unpooledInvoker : _invoker, longLived ? tunnel.LongLivedRequestConfig : tunnel.RequestConfig, tunnel.Transformer)
                    .ConfigureAwait(false);
            }
            finally
            {
                tunnel.Health.Ended();
            }

            if (error != ForwarderError.None)
            {
                Exception? exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
                if (tunnel.Pooled && PoolRetry.MemberFailed(exception, tunnel, link) && tunnel.TakeOut() is { } until)
                {
                    Log.PoolMemberOut(_logger, tunnel.Hostname, tunnel.Id, until);
                }

                if (retryAllowed && PoolRetry.IsSafe(context, exception))
                {
                    Log.ForwardFailed(_logger, tunnel.Hostname, error, exception?.Message ?? "");
                    return false;
                }

                await ReportAsync(context, tunnel, link, error).ConfigureAwait(false);
            }
            else if (PolicyContext.Of(context)?.CompressedBody is { } compressed)
            {
                await compressed.CompleteAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            TimeSpan elapsed = tunnel.Session.Time.GetElapsedTime(started);
            tunnel.Clients.RequestEnded(elapsed);
            _metrics.RequestEnded(tunnel.Hostname, context.Response.StatusCode, elapsed);
            traffic.Ended(context);
            EdgeTracing.End(span, context);
            _lifetime.RequestEnded();
        }

        return true;
    }

    /// <summary>
    /// Runs the tunnel's on_tcp_connect and on_http_request rules; false when one of them answered (or closed the
    /// connection) or an expression failed, which is answered 500 rather than let the request past a rule that could
    /// not decide. The context stays on the request for on_http_response.
    /// </summary>
    private async ValueTask<bool> TrafficPolicyAllowsAsync(HttpContext context, Tunnel tunnel, TrafficPolicy policy)
    {
        ConnectionInfo connection = context.Connection;
        var policyContext = new PolicyContext(
            tunnel,
            policy,
            context,
            connection.RemoteIpAddress is { } remote ? ConnectionPolicy.Unmapped(new System.Net.IPEndPoint(remote, connection.RemotePort)) : null,
            connection.LocalIpAddress is { } local ? ConnectionPolicy.Unmapped(new System.Net.IPEndPoint(local, connection.LocalPort)) : null,
            context.Features.Get<ITlsHandshakeFeature>()?.HostName,
            tunnel.Session.Time.GetUtcNow());
        policyContext.AttachTo(context);
        try
        {
            if (!policy.OnTcpConnect.IsEmpty && !await ConnectionAdmittedAsync(context, policy, policyContext).ConfigureAwait(false))
            {
                return false;
            }

            return policy.OnHttpRequest.IsEmpty || await policy.RunAsync(PolicyPhaseKind.HttpRequest, policyContext).ConfigureAwait(false) == ActionResult.Continue;
        }
        catch (PolicyEvaluationException ex)
        {
            PolicyLog.EvaluationFailed(_logger, ErrorCodes.PolicyEvaluationFailed.Code, tunnel.Hostname, ex.Message);
            await ErrorResponder.WriteAsync(context, ErrorCodes.PolicyEvaluationFailed, ErrorCodes.PolicyEvaluationFailed.FormatMessage(ex.Rule, ex.Reason)).ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>
    /// on_tcp_connect for an http tunnel: once per client connection and tunnel (<see cref="TcpConnectVerdicts"/>),
    /// so its rate limits count connections and a refused connection is closed, as on a tcp tunnel. Per request
    /// only when the connection is not tracked.
    /// </summary>
    private static async ValueTask<bool> ConnectionAdmittedAsync(HttpContext context, TrafficPolicy policy, PolicyContext policyContext)
    {
        if (ClientConnections.Of(context) is not { } connection)
        {
            return await policy.RunAsync(PolicyPhaseKind.TcpConnect, policyContext).ConfigureAwait(false) == ActionResult.Continue;
        }

        Task<TcpConnectVerdict> pending = connection.TcpConnect.GetOrRun(
            policyContext.Tunnel,
            async () =>
            {
                if (!HttpProtocol.IsHttp2(context.Request.Protocol) && !HttpProtocol.IsHttp3(context.Request.Protocol))
                {
                    // An answer written while this phase runs is a refusal of the connection: say it closes.
                    context.Response.OnStarting(
                        static state =>
                        {
                            var (http, phase) = ((HttpContext, PolicyContext))state;
                            if (phase.Phase == PolicyPhaseKind.TcpConnect)
                            {
                                http.Response.Headers.Connection = "close";
                            }

                            return Task.CompletedTask;
                        },
                        (context, policyContext));
                }

                bool admitted = await policy.RunAsync(PolicyPhaseKind.TcpConnect, policyContext).ConfigureAwait(false) == ActionResult.Continue;
                return new TcpConnectVerdict(admitted, [.. policyContext.Vars.Entries]);
            },
            out bool ranHere);
        TcpConnectVerdict verdict = await pending.ConfigureAwait(false);
        if (!verdict.Admitted)
        {
            if (ranHere)
            {
                // The action answered this request; the connection ends after it, as a refused tcp connection would.
                context.Features.Get<IConnectionLifetimeNotificationFeature>()?.RequestClose();
            }
            else
            {
                // Another request of this connection was refused (an HTTP/2 stream racing it, or a client that kept
                // the connection): nothing more is served on it.
                context.Abort();
            }

            return false;
        }

        if (!ranHere)
        {
            foreach (KeyValuePair<string, object?> variable in verdict.Vars)
            {
                policyContext.Vars.Set(variable.Key, variable.Value);
            }
        }

        return true;
    }

    public void Dispose()
    {
        _invoker.Dispose();
        _unpooledInvoker.Dispose();
    }

    private async Task ReportAsync(HttpContext context, Tunnel tunnel, AgentLink? link, ForwarderError error)
    {
        Exception? exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        Log.ForwardFailed(_logger, tunnel.Hostname, error, exception?.Message ?? "");
        if (context.RequestAborted.IsCancellationRequested || context.Response.HasStarted)
        {
            // The client left, or the response was under way: YARP has aborted what it had to.
            return;
        }

        if (Find<BadHttpRequestException>(exception) is { StatusCode: StatusCodes.Status413PayloadTooLarge } && _options.MaxRequestBodySize is { } maxBody)
        {
            await ErrorResponder.WriteAsync(context, ErrorCodes.RequestBodyTooLarge, ErrorCodes.RequestBodyTooLarge.FormatMessage(maxBody)).ConfigureAwait(false);
            return;
        }

        if (Find<UpstreamUnreachableException>(exception) is { } unreachable)
        {
            ErrorCode code = ErrorCodes.Find(unreachable.Error.Code) ?? ErrorCodes.UpstreamUnreachable;
            await ErrorResponder.WriteAsync(context, code, unreachable.Error.Message).ConfigureAwait(false);
            return;
        }

        if (error is ForwarderError.RequestTimedOut)
        {
            await ErrorResponder.WriteAsync(context, ErrorCodes.UpstreamTimeout,
                ErrorCodes.UpstreamTimeout.FormatMessage(tunnel.UpstreamDisplay, FormatTimeout(_options.UpstreamTimeout))).ConfigureAwait(false);
            return;
        }

        // The agent's connection closing ends its streams with a plain end of stream, which YARP
        // reports like an upstream hanging up; the closed session says who really went away.
        if (Find<AgentUnavailableException>(exception) is not null
            || tunnel.Session.Link is null
            || link is null
            || link.IsClosed
            || Find<MuxException>(exception) is { Error: MuxError.SessionClosed or MuxError.RemoteGoingAway or MuxError.LocalGoingAway })
        {
            await ErrorResponder.WriteAsync(context, ErrorCodes.AgentSessionGone, ErrorCodes.AgentSessionGone.FormatMessage(tunnel.Hostname)).ConfigureAwait(false);
            return;
        }

        string reason = Innermost(exception)?.Message.TrimEnd('.') ?? error.ToString();
        await ErrorResponder.WriteAsync(context, ErrorCodes.UpstreamBadResponse,
            ErrorCodes.UpstreamBadResponse.FormatMessage(tunnel.UpstreamDisplay, reason)).ConfigureAwait(false);
    }

    private static bool IsLongLived(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
        || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true
        || context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase)
        || (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) ?? false);

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }

    private static Exception? Innermost(Exception? exception)
    {
        while (exception?.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }

    private static string FormatTimeout(TimeSpan timeout) =>
        timeout.TotalSeconds < 120
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{timeout.TotalSeconds:0.#} s")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{timeout.TotalMinutes:0.#} min");

    private static partial class Log
    {
        [LoggerMessage(EventId = 1302, EventName = "PoolMemberOut", Level = LogLevel.Warning, Message = "Pool member {TunnelId} of {Hostname} failed a request before its upstream saw it; it gets no new ones until {Until:O}")]
        public static partial void PoolMemberOut(ILogger logger, string hostname, string tunnelId, DateTimeOffset until);

        [LoggerMessage(EventId = 1303, EventName = "RetriedOnAnotherMember", Level = LogLevel.Information, Message = "Request to {Hostname} failed on pool member {FailedTunnelId} before any byte reached its upstream; sent to {TunnelId}")]
        public static partial void RetriedOnAnotherMember(ILogger logger, string hostname, string failedTunnelId, string tunnelId);

        [LoggerMessage(EventId = 1300, EventName = "ForwardFailed", Level = LogLevel.Information, Message = "Request to {Hostname} failed: {Error} {Reason}")]
        public static partial void ForwardFailed(ILogger logger, string hostname, ForwarderError error, string reason);

        [LoggerMessage(EventId = 1301, EventName = "ClientCertificateRefused", Level = LogLevel.Information, Message = "Request to {Hostname} refused: {Code} {Reason}")]
        public static partial void ClientCertificateRefused(ILogger logger, string hostname, string code, string reason);
    }
}

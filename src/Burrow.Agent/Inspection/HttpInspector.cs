using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Burrow.Agent.Forwarding;
using Burrow.Agent.Session;
using Burrow.Agent.Status;
using Burrow.Mux;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Burrow.Agent.Inspection;

/// <summary>
/// The agent's HTTP path when inspection is on: proxy streams go into an in-process Kestrel (through
/// <see cref="ProxyStreamListenerFactory"/>), each request is forwarded to the upstream by YARP's
/// <see cref="IHttpForwarder"/>, and a capped copy of request and response goes to the <see cref="CaptureStore"/>.
/// </summary>
/// <remarks>
/// Bodies stream through (the capture tees a prefix, never buffers), so WebSockets, SSE and large
/// downloads behave as over the raw pump. Upgraded connections (WebSocket) are recorded by their
/// handshake only.
/// </remarks>
internal sealed partial class HttpInspector : IAsyncDisposable
{
    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        // Long polls and idle WebSockets went through the raw pump untouched; keep them alive here too.
        ActivityTimeout = TimeSpan.FromHours(24),
        AllowResponseBuffering = false,
    };

    private readonly WebApplication _app;
    private readonly ProxyStreamListenerFactory _listener;
    private readonly IHttpForwarder _forwarder;
    private readonly ConcurrentDictionary<ActiveTunnel, HttpMessageInvoker> _clients = new();
    // Until the upstream has shown it keeps connections, and for good when it closes after each response (HTTP/1.0's
    // default): a client that never pools, see UpstreamConnectionReuse.
    private readonly ConcurrentDictionary<ActiveTunnel, HttpMessageInvoker> _unpooledClients = new();
    private readonly ConcurrentDictionary<string, TunnelConnectionState> _connections = new(StringComparer.Ordinal);
    private readonly Action<string, CompletedRequest> _report;
    private readonly ILogger _logger;
    private long _connectionIds;

    private HttpInspector(WebApplication app, ProxyStreamListenerFactory listener, CaptureStore store, int bodyLimit, Action<string, CompletedRequest> report, ILogger logger)
    {
        _app = app;
        _listener = listener;
        _forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        Store = store;
        BodyLimit = bodyLimit;
        _report = report;
        _logger = logger;
    }

    public CaptureStore Store { get; }

    public int BodyLimit { get; }

    public static async Task<HttpInspector> StartAsync(CaptureStore store, int bodyLimit, Action<string, CompletedRequest> report, ILogger logger, CancellationToken cancellationToken)
    {
        var listener = new ProxyStreamListenerFactory();
        // An empty builder: the user's working directory, appsettings and ASPNETCORE_* variables are for their own apps,
        // not the agent's servers, and a slim builder's config file watchers cost an inotify instance per host.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "burrow-inspector" });
        Burrow.Agent.Hosting.SignalFreeLifetime.Use(builder.Services);
        builder.WebHost.UseKestrelCore();
        builder.Services.AddSingleton<IConnectionListenerFactory>(listener);
        builder.Services.AddHttpForwarder();
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            // The raw pump set no limits of its own: the upstream decides what is too big or too slow.
            options.Limits.MaxRequestBodySize = null;
            options.Limits.MinRequestBodyDataRate = null;
            options.Limits.MinResponseDataRate = null;
            options.Limits.MaxRequestHeadersTotalSize = 256 * 1024;
            options.Limits.MaxRequestHeaderCount = 1000;
            options.Limits.MaxRequestLineSize = 64 * 1024;
            options.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(10);
            options.Limits.MaxConcurrentConnections = null;
            options.Limits.MaxConcurrentUpgradedConnections = null;
            options.Listen(new TunnelEndPoint(), listen => listen.Protocols = HttpProtocols.Http1);
        });
        WebApplication app = builder.Build();
        HttpInspector? inspector = null;
        app.Run(async context =>
        {
            try
            {
                await inspector!.ForwardAsync(context).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Kestrel answers 500 by itself; say why in the agent's log, which Kestrel's own logger (off here) would have.
                Log.Unexpected(logger, ex);
                throw;
            }
        });
        inspector = new HttpInspector(app, listener, store, bodyLimit, report, logger);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return inspector;
    }

    /// <summary>Serves one proxy stream (already answered with success) until Kestrel lets it go.</summary>
    public async Task ServeAsync(MuxStream stream, ActiveTunnel tunnel, string clientAddr, UpstreamConnection upstream)
    {
        var preDialed = new PreDialedUpstream(upstream);
        await using (preDialed.ConfigureAwait(false))
        {
            string id = "t" + Interlocked.Increment(ref _connectionIds).ToString(CultureInfo.InvariantCulture);
            var connection = new ProxyStreamConnection(stream, id, ParseEndPoint(clientAddr));
            // Kestrel hands requests the connection's id, not its items: the state is found by id.
            _connections[id] = new TunnelConnectionState(tunnel, clientAddr, preDialed);
            try
            {
                connection.Start();
                if (!_listener.TryAdd(connection))
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    return;
                }

                await connection.Done.ConfigureAwait(false);
            }
            finally
            {
                _connections.TryRemove(id, out _);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // By now the session is closed and every proxy stream with it; what Kestrel still holds ends at once, and
        // anything that does not is cut after the grace instead of Kestrel's 30 s shutdown timeout.
        using var grace = new CancellationTokenSource(Burrow.Agent.Web.WebServer.StopGrace);
        await _app.StopAsync(grace.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        foreach (HttpMessageInvoker client in _clients.Values.Concat(_unpooledClients.Values))
        {
            client.Dispose();
        }
    }

    internal HttpMessageInvoker ClientFor(ActiveTunnel tunnel) => tunnel.UpstreamReuse.PoolConnections
        ? _clients.GetOrAdd(tunnel, static t => CreateClient(t, pooled: true))
        : _unpooledClients.GetOrAdd(tunnel, static t => CreateClient(t, pooled: false));

    private static HttpMessageInvoker CreateClient(ActiveTunnel t, bool pooled) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ActivityHeadersPropagator = null,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        // Zero: a connection serves one request and is closed.
        PooledConnectionLifetime = pooled ? Timeout.InfiniteTimeSpan : TimeSpan.Zero,
        // The connection is plain HTTP to the handler; TLS toward an https:// upstream is done by the dialer.
        ConnectCallback = async (context, cancellationToken) =>
        {
            if (context.InitialRequestMessage.Options.TryGetValue(HostPreservingTransformer.PreDialedKey, out PreDialedUpstream? preDialed)
                && preDialed.Take() is { } ready)
            {
                return ready.Stream;
            }

            (UpstreamConnection? connection, Burrow.Protocol.ProtocolError? error) = await UpstreamDialer.DialAsync(
                t.DialHost, t.DialPort, t.DialTls, t.Display, t.Definition.UpstreamTlsVerify, http2: false, cancellationToken).ConfigureAwait(false);
            return connection?.Stream ?? throw new UpstreamDialFailedException(error!);
        },
    }, disposeHandler: true);

    internal static string DestinationPrefix(ActiveTunnel tunnel) => string.Create(
        CultureInfo.InvariantCulture, $"http://{(tunnel.DialHost.Contains(':', StringComparison.Ordinal) ? $"[{tunnel.DialHost}]" : tunnel.DialHost)}:{tunnel.DialPort}");

    private async Task ForwardAsync(HttpContext context)
    {
        if (!_connections.TryGetValue(context.Connection.Id, out TunnelConnectionState? state))
        {
            context.Abort();
            return;
        }

        ActiveTunnel tunnel = state.Tunnel;
        context.Items[PreDialedUpstream.ItemKey] = state.PreDialed;
        context.Items[HostPreservingTransformer.ReuseKey] = tunnel.UpstreamReuse;
        long started = Stopwatch.GetTimestamp();
        DateTimeOffset startedAt = DateTimeOffset.UtcNow;
        IHttpRequestFeature requestFeature = context.Features.GetRequiredFeature<IHttpRequestFeature>();
        var requestBody = new BodyCapture(BodyLimit);
        var responseBody = new BodyCapture(BodyLimit);
        var request = new CapturedMessage(context.Request.Protocol, CopyHeaders(context.Request.Headers), requestBody);
        var exchange = new CapturedExchange
        {
            Id = Store.NextId(),
            TunnelName = tunnel.Definition.Name,
            RemoteAddr = ClientAddress(context, state.ClientAddr),
            Start = startedAt,
            Method = context.Request.Method,
            Uri = string.IsNullOrEmpty(requestFeature.RawTarget) ? context.Request.Path + context.Request.QueryString : requestFeature.RawTarget,
            Request = request,
        };

        context.Request.Body = new CaptureReadStream(context.Request.Body, requestBody);
        // Kestrel's own pipe reader would bypass the stream above.
        context.Features.Set<IRequestBodyPipeFeature>(new RequestBodyPipeFeature(context));
        context.Response.Body = new CaptureWriteStream(context.Response.Body, responseBody);
        context.Response.OnStarting(() =>
        {
            exchange.HeadersAfter = Stopwatch.GetElapsedTime(started);
            return Task.CompletedTask;
        });
        exchange.Upgraded = context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true;

        ForwarderError error = await _forwarder.SendAsync(context, DestinationPrefix(tunnel), ClientFor(tunnel), RequestConfig, HostPreservingTransformer.Instance)
            .ConfigureAwait(false);
        if (error != ForwarderError.None)
        {
            Exception? cause = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            exchange.Error = Describe(error, cause, tunnel);
            Log.ForwardFailed(_logger, tunnel.Definition.Name, exchange.Error);
            if (!context.Response.HasStarted)
            {
                await WriteBadGatewayAsync(context, exchange.Error).ConfigureAwait(false);
            }
        }

        requestBody.Seal();
        responseBody.Seal();
        exchange.StatusCode = context.Response.StatusCode;
        exchange.ReasonPhrase = context.Features.Get<IHttpResponseFeature>()?.ReasonPhrase ?? ReasonPhrases.GetReasonPhrase(context.Response.StatusCode);
        exchange.Response = new CapturedMessage(context.Request.Protocol, CopyHeaders(context.Response.Headers), responseBody);
        exchange.Duration = Stopwatch.GetElapsedTime(started);
        Record(exchange, tunnel);
    }

    internal void Record(CapturedExchange exchange, ActiveTunnel tunnel)
    {
        if (tunnel.Definition.Options.Inspect)
        {
            Store.Add(exchange);
        }

        _report(tunnel.Definition.Name, new CompletedRequest(
            exchange.TunnelName, exchange.Method, exchange.Uri, exchange.StatusCode, exchange.Start, exchange.Duration, exchange.Replay));
    }

    private static string Describe(ForwarderError error, Exception? cause, ActiveTunnel tunnel)
    {
        for (Exception? e = cause; e is not null; e = e.InnerException)
        {
            if (e is UpstreamDialFailedException dial)
            {
                return dial.Error.ToString();
            }
        }

        string reason = cause?.GetBaseException().Message.TrimEnd('.') ?? error.ToString();
        return error is ForwarderError.Request or ForwarderError.RequestTimedOut
            ? Burrow.Protocol.ErrorCodes.UpstreamBadResponse.ToError(tunnel.Display, reason).ToString()
            : $"{error}: {reason}";
    }

    // The same answer as the edge's for the same error (ErrorPage renders both), so a person sees one page whether inspection is on or off.
    private static async Task WriteBadGatewayAsync(HttpContext context, string error)
    {
        string[] parts = error.Split(": ", 2);
        Burrow.Protocol.ErrorCode code = Burrow.Protocol.ErrorCodes.Find(parts[0]) ?? Burrow.Protocol.ErrorCodes.UpstreamBadResponse;
        string message = parts.Length == 2 && code.Code == parts[0] ? parts[1] : error;
        int status = code.HttpStatus ?? StatusCodes.Status502BadGateway;
        (string contentType, string body) = Burrow.Protocol.ErrorPage.Render(code, status, message, context.Request.Headers.Accept.ToString());
        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.Headers[Burrow.Protocol.ErrorPage.CodeHeader] = code.Code;
        context.Response.Headers.CacheControl = "no-store";
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static List<KeyValuePair<string, string>> CopyHeaders(IHeaderDictionary headers)
    {
        var list = new List<KeyValuePair<string, string>>(headers.Count);
        foreach (var (name, values) in headers)
        {
            foreach (string? value in values)
            {
                list.Add(new(name, value ?? ""));
            }
        }

        return list;
    }

    private static string ClientAddress(HttpContext context, string clientAddr)
    {
        // The edge names the real client per request; the stream's header names the first one on a pooled stream.
        string forwarded = context.Request.Headers["X-Forwarded-For"].ToString();
        if (forwarded.Length > 0)
        {
            int comma = forwarded.LastIndexOf(',');
            return (comma < 0 ? forwarded : forwarded[(comma + 1)..]).Trim();
        }

        return ParseEndPoint(clientAddr)?.Address.ToString() ?? clientAddr;
    }

    private static IPEndPoint? ParseEndPoint(string value) => IPEndPoint.TryParse(value, out IPEndPoint? endPoint) ? endPoint : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = 6000, EventName = "ForwardFailed", Level = LogLevel.Warning, Message = "Tunnel {Tunnel}: {Reason}")]
        public static partial void ForwardFailed(ILogger logger, string tunnel, string reason);

        [LoggerMessage(EventId = 6001, EventName = "InspectorFailed", Level = LogLevel.Error, Message = "The inspector failed to forward a request")]
        public static partial void Unexpected(ILogger logger, Exception exception);
    }
}

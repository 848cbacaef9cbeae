using System.Collections.Concurrent;
using System.Net.Http;
using Burrow.Edge.Errors;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Storage.Routes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Burrow.Edge.Cluster;

/// <summary>
/// The entry node's side of an HTTP request (or WebSocket) for a tunnel held on another node: YARP forwards it as for
/// a local tunnel, but its connect callback opens a stream on the node link to the owner node, where the request runs
/// through the same handler — policy included — as one that came in there (<see cref="RelayListener"/>). Connections
/// are pooled per target node: the owner's relay serves any of its hostnames on one.
/// </summary>
internal sealed partial class RemoteRequests : IDisposable
{
    private const string ConnectSuffix = ".node.burrow";

    // Tries per request over the nodes that hold its name: the first, then two others at most (NodeRetry).
    private const int MaxNodeAttempts = 3;

    private readonly ClusterRoutes _routes;
    private readonly INodeLinks _links;
    private readonly IHttpForwarder _forwarder;
    private readonly EdgeOptions _options;
    private readonly ILogger _logger;
    private readonly HttpMessageInvoker _invoker;
    private readonly ConcurrentDictionary<string, string> _nodeByConnectHost = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _destinationByNode = new(StringComparer.Ordinal);
    private readonly UnreachableNodes _unreachable;
    private readonly PoolShares _shares;
    private readonly ForwarderRequestConfig _config;
    private readonly ForwarderRequestConfig _longLivedConfig;

    public RemoteRequests(
        ClusterRoutes routes, INodeLinks links, IHttpForwarder forwarder, EdgeOptions options, UnreachableNodes unreachable, PoolShares shares, ILogger<RemoteRequests> logger)
    {
        _unreachable = unreachable;
        _shares = shares;
        _routes = routes;
        _links = links;
        _forwarder = forwarder;
        _options = options;
        _logger = logger;
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            ConnectCallback = ConnectAsync,
            // The same cap as for one tunnel's proxy streams (TunnelRequestHandler.MaxProxyStreamsPerTunnel).
            MaxConnectionsPerServer = Forwarding.TunnelRequestHandler.MaxProxyStreamsPerTunnel,
        }, disposeHandler: true);
        _config = new ForwarderRequestConfig
        {
            // The owner node applies the tunnel's own upstream timeout and answers with its page; this one only has to outlast it.
            ActivityTimeout = options.UpstreamTimeout + TimeSpan.FromSeconds(5),
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            AllowResponseBuffering = false,
        };
        _longLivedConfig = _config with { ActivityTimeout = TimeSpan.FromHours(24) };
    }

    /// <summary>The route of an http tunnel on another node for <paramref name="host"/>, or <see langword="null"/>.</summary>
    public RouteRow? Find(string host) => _routes.FindRemote(host, _unreachable) is { Proto: TunnelProtocols.Http } route ? route : null;

    /// <summary>
    /// For a pooled hostname this node also has members of: a member on another node to send this request to, with the
    /// weight of its share of all members (<see cref="PoolShares"/>), else <see langword="null"/> (serve it here).
    /// </summary>
    public RouteRow? FindPoolShare(Routing.Pooling.TunnelPool pool) => _shares.Pick(pool, TunnelProtocols.Http);

    public async Task ForwardAsync(HttpContext context, RouteRow route, bool longLived)
    {
        route = PreferLinked(route);
        for (int attempt = 1; ; attempt++)
        {
            ForwarderError error = await _forwarder.SendAsync(
                context, DestinationFor(route.Node), _invoker, longLived ? _longLivedConfig : _config, RelayTransformer.Instance).ConfigureAwait(false);
            if (error == ForwarderError.None || context.RequestAborted.IsCancellationRequested || context.Response.HasStarted)
            {
                return;
            }

            // Nothing came back: the node is passed over for a moment where another one holds the name.
            _unreachable.Add(route.Node);

            Exception? exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            string reason = exception?.GetBaseException().Message.TrimEnd('.') ?? error.ToString();
            Log.ForwardFailed(_logger, route.Key, route.Node, error, reason);

            // A node that died (SIGKILL, power) takes its link with it; until its lease runs out its routes stay, and a
            // request that was on its way there can go to another node holding the name when that cannot change its
            // meaning (NodeRetry): the URL keeps answering through a node failure.
            if (attempt < MaxNodeAttempts && NodeRetry.IsSafe(context, error, exception)
                && _routes.FindRemote(route.Key, _unreachable) is { } next && next.Node != route.Node && next.Proto == route.Proto)
            {
                Log.RetriedOnAnotherNode(_logger, route.Key, route.Node, next.Node);
                context.Features.Set<IForwarderErrorFeature>(null);
                context.Response.Clear();
                route = next;
                continue;
            }

            await ErrorResponder.WriteAsync(context, ErrorCodes.RemoteNodeUnreachable, ErrorCodes.RemoteNodeUnreachable.FormatMessage(route.Node, route.Key, reason)).ConfigureAwait(false);
            return;
        }
    }

    /// <summary>
    /// <paramref name="route"/>, unless its node has no link up right now while another node holding the same name has:
    /// a SIGKILLed node's link drops at once but its routes stay until its lease runs out (10 s), and a request sent
    /// its way would only find out by dialing it. A node without a link but no alternative is dialed as before.
    /// </summary>
    private RouteRow PreferLinked(RouteRow route)
    {
        if (_links is not ClusterState { Membership: { } membership } || membership.Links.Links.ContainsKey(route.Node))
        {
            return route;
        }

        RouteRow[] linked = [.. _routes.RemoteCandidates(route.Key).Where(r => r.Proto == route.Proto && membership.Links.Links.ContainsKey(r.Node) && !_unreachable.Contains(r.Node))];
        return linked.Length == 0 ? route : linked[Random.Shared.Next(linked.Length)];
    }

    /// <summary>The destination prefix YARP sends a request for <paramref name="node"/> to, made once per node.</summary>
    private string DestinationFor(string node) =>
        _destinationByNode.TryGetValue(node, out string? destination) ? destination : AddDestination(node);

    private string AddDestination(string node)
    {
        // Node names are DNS labels in practice; hex keeps any name a valid host for the pool's key.
        string host = Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(node)) + ConnectSuffix;
        _nodeByConnectHost.TryAdd(host, node);
        return _destinationByNode.GetOrAdd(node, $"http://{host}/");
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        if (!_nodeByConnectHost.TryGetValue(context.DnsEndPoint.Host, out string? node))
        {
            throw new HttpRequestException($"No node behind {context.DnsEndPoint.Host}.");
        }

        Stream stream;
        try
        {
            stream = await _links.OpenStreamAsync(node, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ProtocolException or IOException or System.Net.Sockets.SocketException)
        {
            _unreachable.Add(node);
            // ConnectionError: nothing of the request left this node, so NodeRetry may send it anywhere.
            throw new HttpRequestException(HttpRequestError.ConnectionError, ex.Message, ex);
        }

        try
        {
            await new RouteStreamHeader(RouteStreamKind.Http, "", "", "http", "").WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return stream;
    }

    public void Dispose() => _invoker.Dispose();

    /// <summary>Copies the request as it came (Host included), with the client's facts stamped on it for the owner node.</summary>
    private sealed class RelayTransformer : HttpTransformer
    {
        public static readonly RelayTransformer Instance = new();

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            proxyRequest.Headers.Host = httpContext.Request.Host.Value;
            RelayedRequest.Stamp(httpContext, proxyRequest);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5336, EventName = "RemoteForwardFailed", Level = LogLevel.Information, Message = "Request to {Key} via node {Node} failed: {Error} {Reason}")]
        public static partial void ForwardFailed(ILogger logger, string key, string node, ForwarderError error, string reason);

        [LoggerMessage(EventId = 5340, EventName = "RemoteForwardRetried", Level = LogLevel.Information, Message = "Request to {Key} sent again via node {Next}: node {Failed} did not answer it")]
        public static partial void RetriedOnAnotherNode(ILogger logger, string key, string failed, string next);
    }
}

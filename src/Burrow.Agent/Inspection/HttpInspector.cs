using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Burrow.Agent.Forwarding;
using Burrow.Agent.Session;
using Burrow.Agent.Status;
using Burrow.Protocol.Errors;
using Microsoft.Extensions.Logging;

namespace Burrow.Agent.Inspection;

/// <summary>
/// The agent's request inspector: it records the HTTP exchanges of tunnels with inspection on into the
/// <see cref="CaptureStore"/>, reports each completed request, and replays captured ones.
/// </summary>
/// <remarks>
/// Recording is observation only: the proxy stream is pumped to the upstream byte for byte as with
/// inspection off, and the <see cref="HttpExchangeObserver"/> from <see cref="Observe"/> is shown those bytes
/// on the way (by <see cref="KeepAliveUpstream"/>). The edge has parsed each request already; the agent does not parse it a second time to
/// forward it, and the upstream's own framing and keep-alive pass end to end (docs/data-path-2.md §2).
/// </remarks>
internal sealed partial class HttpInspector : IAsyncDisposable
{
    // Replay's connections to each tunnel's upstream: pooled once the upstream has shown it keeps connections
    // (an HTTP/1.0 upstream closes after each response, see UpstreamConnectionReuse), else one per request.
    private readonly ConcurrentDictionary<ActiveTunnel, HttpMessageInvoker> _clients = new();
    private readonly ConcurrentDictionary<ActiveTunnel, HttpMessageInvoker> _unpooledClients = new();
    private readonly Action<string, CompletedRequest> _report;

    public HttpInspector(CaptureStore store, int bodyLimit, Action<string, CompletedRequest> report, ILogger logger)
    {
        Store = store;
        BodyLimit = bodyLimit;
        _report = report;
        Logger = logger;
    }

    public CaptureStore Store { get; }

    public int BodyLimit { get; }

    internal ILogger Logger { get; }

    /// <summary>An observer for one proxy stream: shown the bytes pumped to and from the upstream, it records the exchanges.</summary>
    public HttpExchangeObserver Observe(ActiveTunnel tunnel, string clientAddr) => new(this, tunnel, clientAddr);

    public ValueTask DisposeAsync()
    {
        foreach (HttpMessageInvoker client in _clients.Values.Concat(_unpooledClients.Values))
        {
            client.Dispose();
        }

        return ValueTask.CompletedTask;
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
            (UpstreamConnection? connection, ProtocolError? error) = await UpstreamDialer.DialAsync(
                t.DialHost, t.DialPort, t.DialTls, t.Display, t.Definition.UpstreamTlsVerify, http2: false, cancellationToken).ConfigureAwait(false);
            return connection?.Stream ?? throw new UpstreamDialFailedException(error!);
        },
    }, disposeHandler: true);

    internal static string DestinationPrefix(ActiveTunnel tunnel) => string.Create(
        CultureInfo.InvariantCulture, $"http://{(tunnel.DialHost.Contains(':', StringComparison.Ordinal) ? $"[{tunnel.DialHost}]" : tunnel.DialHost)}:{tunnel.DialPort}");

    /// <summary>Stores a finished capture (when the tunnel inspects), reports it, and gives its buffers back.</summary>
    internal void Record(PendingCapture capture, ActiveTunnel tunnel)
    {
        try
        {
            if (tunnel.Definition.Options.Inspect)
            {
                Store.Add(capture, tunnel.Definition.Name);
            }

            _report(tunnel.Definition.Name, new CompletedRequest(
                tunnel.Definition.Name, capture.Method, CaptureRecord.Target(capture.Request.Head), capture.StatusCode, capture.Start, capture.Duration,
                capture.ReplayOf is not null));
        }
        finally
        {
            capture.Release();
        }
    }
}

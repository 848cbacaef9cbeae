using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Burrow.Mux.Sessions;
using Burrow.Mux.Transport;
using Burrow.Protocol.Errors;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Cluster;

/// <summary>
/// The node links of this node (<see cref="INodeLinks"/>): at most one per peer in the normal case. Each node dials the
/// live nodes whose names sort after its own as soon as it sees them (so links, and their RTT, exist before the first
/// stream needs one, and a pair does not dial each other at once); <see cref="OpenStreamAsync"/> dials any node lazily
/// when no link is there, and a lost link is dialed again on the next look (each heartbeat's view, or the next stream).
/// </summary>
internal sealed partial class NodeLinks : INodeLinks, IAsyncDisposable
{
    private readonly ClusterOptions _options;
    private readonly INodeDirectory _directory;
    private readonly ClusterAuthority _authority;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, NodeLink> _links = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<NodeLink>>> _dialing = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<NodeLink, Task> _running = new();
    private readonly CancellationTokenSource _stopping = new();
    private Func<Stream, string, CancellationToken, Task>? _handler;
    private Task _maintaining = Task.CompletedTask;

    public NodeLinks(ClusterOptions options, INodeDirectory directory, ClusterAuthority authority, TimeProvider time, ILogger<NodeLinks> logger)
    {
        _options = options;
        _directory = directory;
        _authority = authority;
        _time = time;
        _logger = logger;
        _directory.Changed += OnNodesChanged;
    }

    /// <summary>The links up now, by peer name.</summary>
    public IReadOnlyDictionary<string, NodeLink> Links => _links;

    public void OnInboundStream(Func<Stream, string, CancellationToken, Task> handler) => Volatile.Write(ref _handler, handler);

    public async ValueTask<Stream> OpenStreamAsync(string nodeName, CancellationToken cancellationToken)
    {
        NodeLink link = await GetOrDialAsync(nodeName, cancellationToken).ConfigureAwait(false);
        try
        {
            return await link.Mux.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // The link died under this stream: forget it, so the next stream dials again.
            _links.TryRemove(new KeyValuePair<string, NodeLink>(nodeName, link));
            throw Unreachable(nodeName, ex.Message, ex);
        }
    }

    /// <summary>Starts looking after the links: now, on every change of the directory, and every ping interval (a failed dial is tried again).</summary>
    public void Start()
    {
        Maintain();
        _maintaining = MaintainLoopAsync(_stopping.Token);
    }

    private async Task MaintainLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.LinkPingInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Maintain();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Dials the live nodes this node is the dialer for and closes links to nodes that are gone.</summary>
    public void Maintain()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        IReadOnlyList<ClusterNode> live = _directory.LiveNodes;
        foreach (ClusterNode node in live)
        {
            if (string.CompareOrdinal(node.Name, _directory.LocalName) > 0 && !HasUsableLink(node.Name))
            {
                _ = DialQuietlyAsync(node.Name);
            }
        }

        foreach ((string name, NodeLink link) in _links)
        {
            if (!live.Any(n => n.Name == name) && _links.TryRemove(new KeyValuePair<string, NodeLink>(name, link)))
            {
                Log.LinkClosed(_logger, name, "its lease ran out");
                _ = link.CloseAsync(TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>Takes a link another node dialed (TLS done, peer checked): it serves both ways until it ends.</summary>
    public async Task AcceptAsync(SslStream tls, string peer)
    {
        var link = new NodeLink(peer, MuxSession.Server(tls, MuxOptions()), dialed: false, _time.GetUtcNow());
        // An accepted link serves this node's streams to the peer too, unless one is up already.
        _links.AddOrUpdate(peer, link, (_, existing) => existing.IsUsable ? existing : link);
        Log.LinkUp(_logger, peer, "accepted");
        await RunAsync(link).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _directory.Changed -= OnNodesChanged;
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _maintaining.ConfigureAwait(false);
        foreach (NodeLink link in _running.Keys)
        {
            await link.CloseAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }

        await Task.WhenAll(_running.Values).ConfigureAwait(false);
    }

    private void OnNodesChanged() => Maintain();

    private bool HasUsableLink(string name) => _links.TryGetValue(name, out NodeLink? link) && link.IsUsable;

    private async Task DialQuietlyAsync(string name)
    {
        try
        {
            await GetOrDialAsync(name, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ProtocolException or OperationCanceledException or ObjectDisposedException)
        {
            // Logged where it failed; the next heartbeat's look dials again.
        }
    }

    private async Task<NodeLink> GetOrDialAsync(string name, CancellationToken cancellationToken)
    {
        if (_links.TryGetValue(name, out NodeLink? existing) && existing.IsUsable)
        {
            return existing;
        }

        // Concurrent callers share one dial.
        var dial = _dialing.GetOrAdd(name, n => new Lazy<Task<NodeLink>>(() => DialAsync(n)));
        try
        {
            return await dial.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (dial.Value.IsCompleted)
            {
                _dialing.TryRemove(new KeyValuePair<string, Lazy<Task<NodeLink>>>(name, dial));
            }
        }
    }

    private async Task<NodeLink> DialAsync(string name)
    {
        await Task.Yield();
        ClusterNode node = _directory.LiveNodes.FirstOrDefault(n => n.Name == name)
            ?? throw Unreachable(name, "it is not a live node of the cluster", null);
        if (!ClusterOptions.TrySplit(node.LinkAddress, out string host, out int port))
        {
            throw Unreachable(name, $"its link address '{node.LinkAddress}' is not host:port", null);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(_options.DialTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        SslStream? tls = null;
        try
        {
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            TransportSocket.Configure(socket);
            tls = new SslStream(new WriteCoalescingStream(new NetworkStream(socket, ownsSocket: true)), leaveInnerStreamOpen: false);
            string? presented = null;
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = name,
                ApplicationProtocols = [new SslApplicationProtocol(ClusterOptions.Alpn)],
                ClientCertificateContext = SslStreamCertificateContext.Create(_authority.Node, [_authority.Ca], offline: true),
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                    certificate is X509Certificate2 c && (presented = _authority.Verify(c, chain?.ChainPolicy.ExtraStore)) == name,
            }, timeout.Token).ConfigureAwait(false);
            if (!tls.NegotiatedApplicationProtocol.Protocol.Span.SequenceEqual(System.Text.Encoding.ASCII.GetBytes(ClusterOptions.Alpn)))
            {
                throw new AuthenticationException($"it did not agree to ALPN {ClusterOptions.Alpn}");
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or AuthenticationException or OperationCanceledException or ObjectDisposedException)
        {
            if (tls is not null)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }

            string reason = ex is OperationCanceledException ? $"no answer within {_options.DialTimeout.TotalSeconds:0.#} s" : ex.Message;
            Log.DialFailed(_logger, name, node.LinkAddress, reason);
            throw Unreachable(name, $"{node.LinkAddress}: {reason}", ex);
        }

        var link = new NodeLink(name, MuxSession.Client(tls, MuxOptions()), dialed: true, _time.GetUtcNow());
        _links[name] = link;
        Log.LinkUp(_logger, name, "dialed");
        _ = RunAsync(link);
        return link;
    }

    private async Task RunAsync(NodeLink link)
    {
        // The handler is read per stream, not when the link comes up: a node links to the others while it joins,
        // before its routes set the handler, and a link captured then would reset every stream for its whole life.
        Task serving = link.AcceptStreamsAsync(() => Volatile.Read(ref _handler), _stopping.Token);
        _running[link] = serving;
        try
        {
            await serving.ConfigureAwait(false);
            MuxCloseInfo closed = await link.Mux.Completion.ConfigureAwait(false);
            Log.LinkClosed(_logger, link.Peer, closed);
        }
        finally
        {
            _links.TryRemove(new KeyValuePair<string, NodeLink>(link.Peer, link));
            _running.TryRemove(link, out _);
            await link.DisposeAsync().ConfigureAwait(false);
        }
    }

    private MuxOptions MuxOptions() => new()
    {
        KeepAliveInterval = _options.LinkPingInterval,
        KeepAliveTimeout = _options.LinkPingTimeout,
        TimeProvider = _time,
    };

    private static ProtocolException Unreachable(string name, string reason, Exception? inner) =>
        new(ErrorCodes.NodeUnreachable, ErrorCodes.NodeUnreachable.FormatMessage(name, reason.TrimEnd('.')), inner);

    private static partial class Log
    {
        [LoggerMessage(EventId = 5310, EventName = "NodeLinkUp", Level = LogLevel.Information, Message = "Node link to {Peer} up ({How})")]
        public static partial void LinkUp(ILogger logger, string peer, string how);

        [LoggerMessage(EventId = 5311, EventName = "NodeLinkClosed", Level = LogLevel.Information, Message = "Node link to {Peer} closed: {Reason}")]
        public static partial void LinkClosed(ILogger logger, string peer, object reason);

        [LoggerMessage(EventId = 5312, EventName = "NodeDialFailed", Level = LogLevel.Warning, Message = "Dialing node {Peer} at {Address} failed: {Reason}")]
        public static partial void DialFailed(ILogger logger, string peer, string address, string reason);
    }
}

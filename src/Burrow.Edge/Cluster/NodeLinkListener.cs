using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Burrow.Edge.Errors;
using Burrow.Edge.Tcp;
using Burrow.Mux.Transport;
using Burrow.Protocol.Errors;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Cluster;

/// <summary>
/// The node-link port (<c>--node-listen</c>): TLS 1.3 with ALPN <c>burrow-node/1</c>, a client certificate required.
/// A connection is a node link only when that certificate chains to the cluster CA and names a live node other than
/// this one; anything else is refused (<c>ERR_BURROW_5307</c> in the log) and closed at the handshake.
/// </summary>
internal sealed partial class NodeLinkListener : IAsyncDisposable
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly AcceptLoop _accepts;
    private readonly NodeLinks _links;
    private readonly NodeRegistry _registry;
    private readonly ClusterAuthority _authority;
    private readonly SslStreamCertificateContext _certificate;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private int _stopped;

    private NodeLinkListener(Socket socket, NodeLinks links, NodeRegistry registry, ClusterAuthority authority, ILogger logger)
    {
        _accepts = new AcceptLoop(socket, "node-link listener", ServeAsync, logger);
        _links = links;
        _registry = registry;
        _authority = authority;
        _certificate = SslStreamCertificateContext.Create(authority.Node, [authority.Ca], offline: true);
        _logger = logger;
    }

    public IPEndPoint LocalEndPoint => _accepts.LocalEndPoint;

    /// <summary>Binds <paramref name="endPoint"/>; an address in use is <c>ERR_BURROW_5011</c> naming <c>--node-listen</c>.</summary>
    public static NodeLinkListener Bind(IPEndPoint endPoint, NodeLinks links, NodeRegistry registry, ClusterAuthority authority, ILogger<NodeLinkListener> logger)
    {
        try
        {
            return new NodeLinkListener(ListenSocket.Open(endPoint), links, registry, authority, logger);
        }
        catch (SocketException ex)
        {
            throw ListenFailure.For(new ListenFailure.Listener("node-link listener", endPoint, "--node-listen"), ex);
        }
    }

    public void Start() => _accepts.Start();

    /// <summary>Stops taking connections and cuts the handshakes under way; the links already up stay.</summary>
    public void StopAccepting()
    {
        _accepts.StopAccepting();
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            _stopping.Cancel();
        }
    }

    public async ValueTask DisposeAsync()
    {
        StopAccepting();
        await _accepts.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ServeAsync(Socket client)
    {
        TransportSocket.Configure(client);
        string remote = client.RemoteEndPoint?.ToString() ?? "unknown";
        var tls = new SslStream(new WriteCoalescingStream(new NetworkStream(client, ownsSocket: true)), leaveInnerStreamOpen: false);
        try
        {
            string? peer = null;
            string? refusal = null;
            try
            {
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                handshake.CancelAfter(HandshakeTimeout);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = _certificate,
                    ApplicationProtocols = [new SslApplicationProtocol(ClusterOptions.Alpn)],
                    EnabledSslProtocols = SslProtocols.Tls13,
                    ClientCertificateRequired = true,
                    RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                    {
                        if (certificate is not X509Certificate2 presented)
                        {
                            refusal = "no client certificate";
                            return false;
                        }

                        peer = _authority.Verify(presented, chain?.ChainPolicy.ExtraStore);
                        refusal = peer is null ? "its certificate is not from the cluster CA" : null;
                        return peer is not null;
                    },
                }, handshake.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                Log.Refused(_logger, ErrorCodes.NodeLinkRefused.ToError(remote, refusal ?? ex.Message).ToString());
                return;
            }

            if (!tls.NegotiatedApplicationProtocol.Protocol.Span.SequenceEqual(System.Text.Encoding.ASCII.GetBytes(ClusterOptions.Alpn)))
            {
                Log.Refused(_logger, ErrorCodes.NodeLinkRefused.ToError(remote, $"it did not offer ALPN {ClusterOptions.Alpn}").ToString());
                return;
            }

            // A node that joined a moment ago may not be in this view yet: read the registry once before refusing it.
            if (!IsLive(peer!))
            {
                await _registry.RefreshAsync(_stopping.Token).ConfigureAwait(false);
            }

            if (peer == _registry.LocalName || !IsLive(peer!))
            {
                Log.Refused(_logger, ErrorCodes.NodeLinkRefused.ToError(remote, $"'{peer}' is not a live node of the cluster").ToString());
                return;
            }

            Task link = _links.AcceptAsync(tls, peer!);
            tls = null; // the link owns it now
            await link.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException or OperationCanceledException or Storage.StoreException)
        {
            Log.ConnectionFailed(_logger, remote, ex.Message);
        }
        finally
        {
            if (tls is not null)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private bool IsLive(string name) => _registry.LiveNodes.Any(n => n.Name == name);

    private static partial class Log
    {
        [LoggerMessage(EventId = 5353, EventName = "NodeLinkRefused", Level = LogLevel.Warning, Message = "{Error}")]
        public static partial void Refused(ILogger logger, string error);

        [LoggerMessage(EventId = 5354, EventName = "NodeLinkConnectionFailed", Level = LogLevel.Debug, Message = "Node link connection from {RemoteAddress} failed: {Reason}")]
        public static partial void ConnectionFailed(ILogger logger, string remoteAddress, string reason);
    }
}

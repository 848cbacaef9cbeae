using System.Diagnostics;
using System.Net;
using System.Net.Security;
using Burrow.Agent.Inspection;
using Burrow.Agent.Session;
using Burrow.Mux;
using Burrow.Protocol;
using Burrow.Protocol.Pumping;
using Microsoft.Extensions.Logging;

namespace Burrow.Agent.Forwarding;

/// <summary>
/// Serves the proxy streams the edge opens on one session: reads each one's <c>proxy</c> header, terminates the
/// client's TLS when the tunnel asks, dials the upstream (a failed dial goes back in <c>proxy_result</c>, for the
/// edge's error page), and pumps bytes both ways, through the inspector's observer for HTTP tunnels with inspection on.
/// </summary>
internal sealed partial class ProxyStreamHandler
{
    private static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(10);
    private static readonly byte[] SuccessFrame = ControlMessageSerializer.SerializeToFrame(new ProxyResultMessage());

    private readonly Func<string, ActiveTunnel?> _findTunnel;
    private readonly bool _edgeCountsClients;
    private readonly HttpInspector? _inspector;
    private readonly Action<ProtocolError> _tellUser;
    private readonly ILogger _logger;

    /// <param name="findTunnel">The tunnel table's lookup by the edge's tunnel id.</param>
    /// <param name="edgeCountsClients">Whether this session's edge counts http tunnels' clients (then proxy streams do not).</param>
    /// <param name="inspector">The inspector, when it runs.</param>
    /// <param name="tellUser">For failures only the person running the agent can see (tcp and tls tunnels have no error page).</param>
    /// <param name="logger">Diagnostics.</param>
    public ProxyStreamHandler(
        Func<string, ActiveTunnel?> findTunnel, bool edgeCountsClients, HttpInspector? inspector, Action<ProtocolError> tellUser, ILogger logger)
    {
        _findTunnel = findTunnel;
        _edgeCountsClients = edgeCountsClients;
        _inspector = inspector;
        _tellUser = tellUser;
        _logger = logger;
    }

    /// <summary>Accepts proxy streams until the session ends, each served on its own task.</summary>
    public async Task AcceptLoopAsync(MuxSession mux, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                MuxStream stream = await mux.AcceptStreamAsync(cancellationToken).ConfigureAwait(false);
                _ = Task.Run(() => HandleAsync(stream, cancellationToken), CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is MuxException or OperationCanceledException)
        {
            // The session ended.
        }
    }

    private async Task HandleAsync(MuxStream stream, CancellationToken cancellationToken)
    {
        try
        {
            ControlMessage? message = await new ControlMessageReader(stream).ReadAsync(cancellationToken).AsTask()
                .WaitAsync(HeaderTimeout, cancellationToken).ConfigureAwait(false);
            if (message is not ProxyHeader header || _findTunnel(header.TunnelId) is not { } tunnel)
            {
                Log.UnexpectedProxyStream(_logger, (message as ProxyHeader)?.TunnelId ?? message?.Type ?? "nothing");
                stream.Abort();
                return;
            }

            SslStream? tls = null;
            if (tunnel.Definition.TerminateTls is { } termination)
            {
                // The agent is the TLS server: the edge must pass the handshake bytes back, so it is told at once that all is well.
                await stream.WriteAsync(SuccessFrame, cancellationToken).ConfigureAwait(false);
                (tls, ProtocolError? refused) = await termination.AcceptAsync(stream, header.ClientAddr, cancellationToken).ConfigureAwait(false);
                if (tls is null)
                {
                    // Refused before the upstream is dialled: nothing of this client reaches it.
                    Log.ClientTlsRefused(_logger, refused!.Code, refused.Message);
                    _tellUser(refused);
                    stream.Abort();
                    return;
                }
            }

            (UpstreamConnection? upstream, ProtocolError? error) = await UpstreamDialer.DialAsync(
                tunnel.DialHost, tunnel.DialPort, tunnel.DialTls, tunnel.Display, tunnel.Definition.UpstreamTlsVerify, tunnel.Http2, cancellationToken)
                .ConfigureAwait(false);
            if (upstream is null)
            {
                Log.UpstreamUnreachable(_logger, error!.Code, error.Message);
                if (header.Proto is TunnelProtocols.Tcp or TunnelProtocols.Tls)
                {
                    // No error page shows it to anyone: the person running the agent is told.
                    _tellUser(error);
                }

                if (tls is not null)
                {
                    // The success answer has gone already; the client's TLS connection just ends.
                    await tls.DisposeAsync().ConfigureAwait(false);
                    stream.Abort();
                    return;
                }

                await stream.WriteAsync(ControlMessageSerializer.SerializeToFrame(new ProxyResultMessage { Error = error }), cancellationToken).ConfigureAwait(false);
                stream.CompleteWrites();
                // Let the edge read the answer before the stream goes away; it resets the stream once it has.
                await stream.ReadsClosed.WaitAsync(HeaderTimeout, cancellationToken).ConfigureAwait(false);
                await stream.DisposeAsync().ConfigureAwait(false);
                return;
            }

            if (tunnel.Definition.UpstreamProxyProtocol is { } version)
            {
                // Before any byte of the client (and before the TLS bytes of a pass-through tunnel): the upstream reads it first.
                byte[] proxyProtocol = ProxyProtocolHeader.Build(version, header.ClientAddr, header.ServerAddr, upstream.Socket.RemoteEndPoint as IPEndPoint);
                try
                {
                    await upstream.Stream.WriteAsync(proxyProtocol, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException)
                {
                    upstream.Abort();
                    throw;
                }
            }

            if (tls is null)
            {
                await stream.WriteAsync(SuccessFrame, cancellationToken).ConfigureAwait(false);
            }

            long opened = Stopwatch.GetTimestamp();
            bool counted = tunnel.ProxyStreamOpened(_edgeCountsClients);
            try
            {
                if (header.Proto == TunnelProtocols.Http && !tunnel.Http2 && tunnel.Definition.Options.Inspect && _inspector is { } inspector)
                {
                    // Inspection: the same pump, its upstream side shown to an observer that records each exchange.
                    upstream = inspector.Observe(upstream, tunnel, header.ClientAddr);
                }

                // Bytes as they come, for every tunnel kind (h2c upstreams and tcp/tls tunnels are never observed).
                await DuplexPump.RunAsync(ProxyStreamEnd.Create(stream, tls), upstream.AsPumpEnd()).ConfigureAwait(false);
            }
            finally
            {
                tunnel.ProxyStreamClosed(counted, Stopwatch.GetElapsedTime(opened));
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or TimeoutException or ProtocolException or InvalidOperationException)
        {
            stream.Abort();
        }
    }

}

using System.Diagnostics;
using System.Net;
using System.Net.Security;
using Burrow.Agent.Inspection;
using Burrow.Agent.Session;
using Burrow.Agent.Tunnels;
using Burrow.Mux.Errors;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.ProxyProtocol;
using Burrow.Protocol.Pumping;
using Burrow.Protocol.Serialization;
using Microsoft.Extensions.Logging;

namespace Burrow.Agent.Forwarding;

/// <summary>
/// Serves the proxy streams the edge opens on one session: reads each one's <c>proxy</c> header, terminates the
/// client's TLS when the tunnel asks, dials the upstream (a failed dial goes back in <c>proxy_result</c>, for the
/// edge's error page), and pumps bytes both ways; for HTTP/1.x tunnels through a <see cref="KeepAliveUpstream"/>, which
/// follows the exchanges (recording them when inspection is on) and keeps the upstream's idle close from the edge.
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

    // The edge may send a request for a tunnel the moment it binds it, before its bind_result has reached this agent
    // (a leg moving onto a node where another leg of this agent already serves the hostname): wait that long, not more.
    private async Task<ActiveTunnel?> FindTunnelAsync(string tunnelId, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        ActiveTunnel? tunnel;
        while ((tunnel = _findTunnel(tunnelId)) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken).ConfigureAwait(false);
        }

        return tunnel;
    }

    private async Task HandleAsync(MuxStream stream, CancellationToken cancellationToken)
    {
        try
        {
            ControlMessage? message = await new ControlMessageReader(stream).ReadAsync(cancellationToken).AsTask()
                .WaitAsync(HeaderTimeout, cancellationToken).ConfigureAwait(false);
            if (message is not ProxyHeader header || await FindTunnelAsync(header.TunnelId, cancellationToken).ConfigureAwait(false) is not { } tunnel)
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

            if (tunnel.Definition.InProcess is { } program)
            {
                await HandOverAsync(program, tunnel, stream, tls, header, cancellationToken).ConfigureAwait(false);
                return;
            }

            (UpstreamConnection? upstream, ProtocolError? error) = await DialAsync(tunnel, header, cancellationToken).ConfigureAwait(false);
            if (upstream is null)
            {
                if (header.Proto is TunnelProtocols.Tcp or TunnelProtocols.Tls)
                {
                    // No error page shows it to anyone: the person running the agent is told.
                    _tellUser(error!);
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

            if (tls is null)
            {
                await stream.WriteAsync(SuccessFrame, cancellationToken).ConfigureAwait(false);
            }

            long opened = Stopwatch.GetTimestamp();
            bool counted = tunnel.ProxyStreamOpened(_edgeCountsClients);
            try
            {
                // HTTP/1.x: the exchanges are followed as the bytes pass (and recorded when inspection is on), so that the
                // upstream's idle close is kept from the edge and the next request goes on a new connection.
                PumpEnd upstreamEnd = header.Proto == TunnelProtocols.Http && !tunnel.Http2
                    ? new KeepAliveUpstream(
                        upstream, WatchFor(tunnel, header), async _ => (await DialAsync(tunnel, header, cancellationToken).ConfigureAwait(false)).Upstream,
                        tunnel.Definition.Name, tunnel.Display).AsPumpEnd()
                    : upstream.AsPumpEnd();

                // Bytes as they come, for every tunnel kind (h2c upstreams and tcp/tls tunnels are pumped untouched).
                await DuplexPump.RunAsync(ProxyStreamEnd.Create(stream, tls), upstreamEnd).ConfigureAwait(false);
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

    // A tunnel the program serves itself: the stream is its connection, held until the program closes it.
    private async Task HandOverAsync(InProcessListener program, ActiveTunnel tunnel, MuxStream stream, SslStream? tls, ProxyHeader header, CancellationToken cancellationToken)
    {
        if (tls is null)
        {
            await stream.WriteAsync(SuccessFrame, cancellationToken).ConfigureAwait(false);
        }

        IPEndPoint? client = IPEndPoint.TryParse(header.ClientAddr, out IPEndPoint? parsed) ? parsed : null;
        var connection = new TunnelConnection(stream, tls, tunnel.Definition.Name, client);
        if (!program.Offer(connection))
        {
            // The program stopped listening (it is shutting down): the client's connection fails at once.
            connection.Abort();
            return;
        }

        long opened = Stopwatch.GetTimestamp();
        bool counted = tunnel.ProxyStreamOpened(_edgeCountsClients);
        try
        {
            await connection.Closed.ConfigureAwait(false);
        }
        finally
        {
            tunnel.ProxyStreamClosed(counted, Stopwatch.GetElapsedTime(opened));
        }
    }

    private IHttpExchangeWatch WatchFor(ActiveTunnel tunnel, ProxyHeader header) =>
        tunnel.Definition.Options.Inspect && _inspector is { } inspector ? inspector.Observe(tunnel, header.ClientAddr) : new Http1ExchangeTracker();

    // Dials the tunnel's upstream, and writes the PROXY header first when the tunnel sends one (before any byte of the
    // client, and before the TLS bytes of a pass-through tunnel: the upstream reads it first).
    private async Task<(UpstreamConnection? Upstream, ProtocolError? Error)> DialAsync(ActiveTunnel tunnel, ProxyHeader header, CancellationToken cancellationToken)
    {
        (UpstreamConnection? upstream, ProtocolError? error) = await UpstreamDialer.DialAsync(
            tunnel.DialHost, tunnel.DialPort, tunnel.DialTls, tunnel.Display, tunnel.Definition.UpstreamTlsVerify, tunnel.Http2, cancellationToken)
            .ConfigureAwait(false);
        if (upstream is null)
        {
            Log.UpstreamUnreachable(_logger, error!.Code, error.Message);
            return (null, error);
        }

        if (tunnel.Definition.UpstreamProxyProtocol is { } version)
        {
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

        return (upstream, null);
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Security;
using Burrow.Agent.Forwarding;
using Burrow.Agent.Session;
using Burrow.Mux;
using Burrow.Protocol;
using Microsoft.Extensions.Logging;

namespace Burrow.Agent;

// Proxy streams: each one the edge opens is read for its header, then pumped to a new upstream connection.
public sealed partial class AgentRunner
{
    private static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(10);
    private static readonly byte[] SuccessFrame = ControlMessageSerializer.SerializeToFrame(new ProxyResultMessage());

    private async Task AcceptLoopAsync(MuxSession mux, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                MuxStream stream = await mux.AcceptStreamAsync(cancellationToken).ConfigureAwait(false);
                _ = Task.Run(() => HandleProxyStreamAsync(stream, cancellationToken), CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is MuxException or OperationCanceledException)
        {
            // The session ended.
        }
    }

    private async Task HandleProxyStreamAsync(MuxStream stream, CancellationToken cancellationToken)
    {
        try
        {
            ControlMessage? message = await new ControlMessageReader(stream).ReadAsync(cancellationToken).AsTask()
                .WaitAsync(HeaderTimeout, cancellationToken).ConfigureAwait(false);
            if (message is not ProxyHeader header || !_byTunnelId.TryGetValue(header.TunnelId, out ActiveTunnel? tunnel))
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
                    SayError(refused, hint: false);
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
                    SayError(error, hint: false);
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
                await BytePump.RunAsync(stream, tls, upstream).ConfigureAwait(false);
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

    private static partial class Log
    {
        [LoggerMessage(EventId = 2000, EventName = "UnexpectedProxyStream", Level = LogLevel.Debug, Message = "Reset a proxy stream for unknown tunnel {TunnelId}")]
        public static partial void UnexpectedProxyStream(ILogger logger, string tunnelId);

        [LoggerMessage(EventId = 2001, EventName = "UpstreamUnreachable", Level = LogLevel.Warning, Message = "{Code}: {Reason}")]
        public static partial void UpstreamUnreachable(ILogger logger, string code, string reason);

        [LoggerMessage(EventId = 2002, EventName = "ClientTlsRefused", Level = LogLevel.Warning, Message = "{Code}: {Reason}")]
        public static partial void ClientTlsRefused(ILogger logger, string code, string reason);
    }
}

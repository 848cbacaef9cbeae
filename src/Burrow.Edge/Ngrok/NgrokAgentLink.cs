using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Burrow.Edge.Agents;
using Burrow.Mux.Frames;
using Burrow.Mux.Muxado;
using Burrow.Mux.Streams;
using Burrow.Protocol.Messages;
using Burrow.Protocol.ProxyProtocol;

namespace Burrow.Edge.Ngrok;

/// <summary>
/// An ngrok client's connection: a muxado session. Proxy streams carry ngrok's header, and no
/// <c>proxy_result</c> comes back (the client answers a failed local dial itself). ngrok's protocol
/// has no notices, so what a Burrow agent would be told is only logged.
/// </summary>
internal sealed class NgrokAgentLink : AgentLink
{
    private readonly ConcurrentDictionary<string, (string Proto, int ProxyProtocol)> _binds = new(StringComparer.Ordinal);

    public NgrokAgentLink(MuxadoSession session, string remoteAddress)
        : base(remoteAddress)
    {
        Session = session;
    }

    public MuxadoSession Session { get; }

    public override bool IsClosed => Session.IsClosed;

    public override int StreamCount => Session.StreamCount;

    public override Task Completion => Session.Completion;

    public override bool AnswersProxyStreams => false;

    /// <summary>
    /// Remembers how the client bound a tunnel: its proxy streams say the protocol back, and start with a PROXY
    /// protocol header of <paramref name="proxyProtocol"/>'s version (0: none).
    /// </summary>
    public void Bound(string tunnelId, string ngrokProto, int proxyProtocol) => _binds[tunnelId] = (ngrokProto, proxyProtocol);

    public void Unbound(string tunnelId) => _binds.TryRemove(tunnelId, out _);

    public override async ValueTask<MultiplexedStream> OpenProxyStreamAsync(ProxyHeader header, CancellationToken cancellationToken)
    {
        (string proto, int proxyProtocol) = _binds.TryGetValue(header.TunnelId, out var bind) ? bind : (header.Proto, 0);
        MuxadoStream stream = await Session.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            byte[] start = NgrokProxyHeader.Encode(header.TunnelId, header.ClientAddr, proto, passthroughTls: header.Proto == TunnelProtocols.Tls);
            if (proxyProtocol != 0)
            {
                // The client passes the stream's bytes to its upstream as they come, so the PROXY header goes first among them.
                start = [.. start, .. ProxyProtocolHeader.Build(proxyProtocol, header.ClientAddr, header.ServerAddr, fallbackServer: null)];
            }

            await stream.WriteAsync(start, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            stream.Abort();
            throw;
        }

        return stream;
    }

    /// <summary>A heartbeat of our own: ngrok clients echo the four bytes on a heartbeat stream the edge opens.</summary>
    public override async Task<bool> IsAliveAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        if (Session.IsClosed)
        {
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(within);
        MuxadoStream? stream = null;
        try
        {
            stream = await Session.OpenStreamAsync(timeout.Token).ConfigureAwait(false);
            byte[] beat = new byte[8];
            BinaryPrimitives.WriteUInt32BigEndian(beat, NgrokStreamTypes.Heartbeat);
            RandomNumberGenerator.Fill(beat.AsSpan(4));
            await stream.WriteAsync(beat, timeout.Token).ConfigureAwait(false);
            byte[] echo = new byte[4];
            await stream.ReadExactlyAsync(echo, timeout.Token).ConfigureAwait(false);
            return echo.AsSpan().SequenceEqual(beat.AsSpan(4));
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            stream?.Abort();
        }
    }

    public override ValueTask TrySendAsync(ControlMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public override Task CloseAsync(GoAwayCode code, CancellationToken cancellationToken) =>
        Session.CloseAsync(code switch
        {
            GoAwayCode.Normal => MuxadoErrorCode.NoError,
            GoAwayCode.ProtocolError => MuxadoErrorCode.ProtocolError,
            _ => MuxadoErrorCode.InternalError,
        }, CloseTimeout, cancellationToken);

    public override ValueTask AbortAsync() => Session.DisposeAsync();
}

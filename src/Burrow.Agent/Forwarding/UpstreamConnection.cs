using System.Net.Security;
using System.Net.Sockets;
using Burrow.Protocol.Pumping;

namespace Burrow.Agent.Forwarding;

/// <summary>A connection to the upstream: the socket, and the stream over it (plain or TLS).</summary>
internal sealed class UpstreamConnection : IAsyncDisposable
{
    // The TLS layer toward an https:// upstream.
    private readonly SslStream? _tls;

    public UpstreamConnection(Socket socket, Stream stream)
    {
        Socket = socket;
        Stream = stream;
        _tls = stream as SslStream;
    }

    public Socket Socket { get; }

    public Stream Stream { get; }

    /// <summary>Half-closes toward the upstream: it reads end of stream and may still answer.</summary>
    public async ValueTask ShutdownSendAsync()
    {
        try
        {
            if (_tls is not null)
            {
                await _tls.ShutdownAsync().ConfigureAwait(false);
            }

            Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Already closed; the other direction's copy sees it.
        }
    }

    /// <summary>Drops the connection with RST, so the upstream stops work nobody will read.</summary>
    public void Abort()
    {
        try
        {
            Socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        Socket.Dispose();
    }

    /// <summary>This connection as one end of a <see cref="DuplexPump"/>, which then owns it.</summary>
    public PumpEnd AsPumpEnd() => new(Stream, Stream, ShutdownSendAsync, Abort, DisposeAsync);

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync().ConfigureAwait(false);
        Socket.Dispose();
    }
}

using System.Net.Sockets;
using Burrow.Mux.Streams;
using Burrow.Protocol.Pumping;

namespace Burrow.Edge.Cluster;

/// <summary>
/// Pump ends for streams carried between nodes: a node link gives a <see cref="Stream"/>, whose half-close depends on
/// what it is (a mux stream's FIN, a socket's shutdown of its send side).
/// </summary>
internal static class LinkStreamEnds
{
    public static PumpEnd Of(Stream stream) => new(stream, stream, () => CompleteWrites(stream), () => Abort(stream), stream.DisposeAsync);

    /// <summary>A loopback socket's end (the relay listener's connection).</summary>
    public static PumpEnd Of(Socket socket)
    {
        var network = new NetworkStream(socket, ownsSocket: true);
        return new(network, network, () => CompleteWrites(network), () => Abort(network), network.DisposeAsync);
    }

    private static ValueTask CompleteWrites(Stream stream)
    {
        try
        {
            switch (stream)
            {
                case MultiplexedStream mux:
                    mux.CompleteWrites();
                    break;
                case NetworkStream network:
                    network.Socket.Shutdown(SocketShutdown.Send);
                    break;
                case System.Net.Security.SslStream tls:
                    return new ValueTask(tls.ShutdownAsync());
                default:
                    // No half-close on this kind of stream: the direction ends when the stream is disposed.
                    break;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
            // The other side is gone; the other direction's copy sees it.
        }

        return ValueTask.CompletedTask;
    }

    private static void Abort(Stream stream)
    {
        switch (stream)
        {
            case MultiplexedStream mux:
                mux.Abort();
                break;
            case NetworkStream network:
                try
                {
                    network.Socket.LingerState = new LingerOption(true, 0);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // Already closed.
                }

                network.Dispose();
                break;
            default:
                stream.Dispose();
                break;
        }
    }
}

using System.Net.Sockets;
using Burrow.Mux.Streams;
using Burrow.Protocol.Pumping;

namespace Burrow.Edge.Tcp;

/// <summary>
/// The two ends of a TCP tunnel connection for <see cref="DuplexPump"/>: the public client's
/// socket (its half-close shuts the socket's send side, its abort is an RST) and the proxy stream.
/// </summary>
internal static class TcpPump
{
    /// <summary>
    /// Pumps until both directions end; <paramref name="accepted"/> runs before the first byte toward
    /// the client, and false aborts both. Every chunk counts toward <paramref name="counters"/>, and every
    /// read and write touches <paramref name="watch"/>.
    /// </summary>
    public static Task RunAsync(Socket client, MultiplexedStream stream, Func<Task<bool>> accepted, Routing.TrafficCounters? counters = null, IdleWatch? watch = null)
    {
        var network = new NetworkStream(client, ownsSocket: true);
        var clientEnd = new PumpEnd(network, network, () => ShutdownSend(client), () => AbortClient(client), network.DisposeAsync);
        return DuplexPump.RunAsync(clientEnd, StreamEnd(stream), new TunnelActivity(counters, watch), accepted);
    }

    /// <summary>The proxy stream as a pump end (also for TLS pass-through): half-close is the mux's FIN, abort its RST.</summary>
    internal static PumpEnd StreamEnd(MultiplexedStream stream) => new(stream, stream, () => CompleteWrites(stream), stream.Abort, stream.DisposeAsync);

    /// <summary>Resets the client connection and aborts the proxy stream; safe to call more than once.</summary>
    internal static void Abort(Socket client, MultiplexedStream stream)
    {
        stream.Abort();
        AbortClient(client);
    }

    private static ValueTask CompleteWrites(MultiplexedStream stream)
    {
        stream.CompleteWrites();
        return ValueTask.CompletedTask;
    }

    private static ValueTask ShutdownSend(Socket client)
    {
        try
        {
            client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The client is gone already; the other direction's copy sees it.
        }

        return ValueTask.CompletedTask;
    }

    private static void AbortClient(Socket client)
    {
        try
        {
            client.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        client.Dispose();
    }
}

using System.Buffers;
using System.Net.Sockets;
using Burrow.Mux;

namespace Burrow.Edge.Tcp;

/// <summary>
/// Copies bytes both ways between a public TCP connection and its proxy stream, carrying
/// half-close (the client's FIN ends the stream's writes; the stream's end shuts the socket's
/// send side) and aborting both when either fails.
/// </summary>
internal static class TcpPump
{
    private const int BufferSize = 64 * 1024;

    /// <summary>
    /// Pumps until both directions end; <paramref name="accepted"/> runs before the first byte toward
    /// the client, and false aborts both. Every chunk counts toward <paramref name="counters"/>, and every
    /// read and write touches <paramref name="watch"/>.
    /// </summary>
    public static async Task RunAsync(Socket client, MuxStream stream, Func<Task<bool>> accepted, Routing.TrafficCounters? counters = null, IdleWatch? watch = null)
    {
        var network = new NetworkStream(client, ownsSocket: true);
        Task toAgent = ToAgentAsync(network, stream, counters, watch);
        Task toClient = ToClientAsync(stream, network, client, accepted, counters, watch);
        Task first = await Task.WhenAny(toAgent, toClient).ConfigureAwait(false);
        if (first.IsFaulted)
        {
            Abort(client, stream);
        }

        try
        {
            await Task.WhenAll(toAgent, toClient).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            Abort(client, stream);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            await network.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task ToAgentAsync(NetworkStream network, MuxStream stream, Routing.TrafficCounters? counters, IdleWatch? watch)
    {
        await CopyAsync(network, stream, counters, inbound: true, watch).ConfigureAwait(false);
        stream.CompleteWrites();
    }

    private static async Task ToClientAsync(MuxStream stream, NetworkStream network, Socket client, Func<Task<bool>> accepted, Routing.TrafficCounters? counters, IdleWatch? watch)
    {
        if (!await accepted().ConfigureAwait(false))
        {
            throw new IOException("the agent could not reach the upstream");
        }

        await CopyAsync(stream, network, counters, inbound: false, watch).ConfigureAwait(false);
        client.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Resets the client connection and aborts the proxy stream; safe to call more than once.</summary>
    internal static void Abort(Socket client, MuxStream stream)
    {
        stream.Abort();
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

    /// <summary>
    /// Copies until <paramref name="source"/> ends; each chunk counts toward <paramref name="counters"/> as inbound
    /// (client to agent) or outbound, and every read and write touches <paramref name="watch"/>.
    /// </summary>
    internal static async Task CopyAsync(Stream source, Stream destination, Routing.TrafficCounters? counters = null, bool inbound = false, IdleWatch? watch = null)
    {
        while (true)
        {
            // Wait for data before renting a buffer, so idle connections hold no memory.
            await source.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                int read = await source.ReadAsync(buffer).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                watch?.Touch();
                await destination.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                watch?.Touch();
                if (inbound)
                {
                    counters?.AddBytesIn(read);
                }
                else
                {
                    counters?.AddBytesOut(read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}

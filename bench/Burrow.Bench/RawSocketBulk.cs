using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;

namespace Burrow.Bench;

/// <summary>
/// The ceiling: the same bulk transfer as <see cref="MuxBulk"/> on a bare socket. 64 KiB sends,
/// a receiver that only counts, and the same end condition as the mux runs and the Go peer: the
/// clock stops when the receiver's 8-byte count comes back after the sender's half-close.
/// </summary>
internal static class RawSocketBulk
{
    public static async Task<double> RunAsync(long totalBytes)
    {
        var (client, server) = await LoopbackTcp.ConnectAsync();
        using (client)
        using (server)
        {
            var data = new byte[BenchSettings.ChunkSize];
            var start = Stopwatch.GetTimestamp();
            var sink = Task.Run(() => SinkAsync(server));
            for (var sent = 0L; sent < totalBytes;)
            {
                var n = (int)Math.Min(data.Length, totalBytes - sent);
                sent += await client.SendAsync(data.AsMemory(0, n));
            }

            client.Shutdown(SocketShutdown.Send);
            var reply = new byte[8];
            await ReceiveExactlyAsync(client, reply);
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            await sink;
            var counted = BinaryPrimitives.ReadInt64BigEndian(reply);
            return counted == totalBytes
                ? seconds
                : throw new InvalidOperationException($"raw socket: the receiver counted {counted} bytes of {totalBytes}");
        }
    }

    private static async Task SinkAsync(Socket socket)
    {
        var buffer = new byte[BenchSettings.ChunkSize];
        var total = 0L;
        int n;
        while ((n = await socket.ReceiveAsync(buffer)) > 0)
        {
            total += n;
        }

        BinaryPrimitives.WriteInt64BigEndian(buffer, total);
        await socket.SendAsync(buffer.AsMemory(0, 8));
        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var n = await socket.ReceiveAsync(buffer);
            if (n == 0)
            {
                throw new EndOfStreamException("raw socket: the receiver closed before replying");
            }

            buffer = buffer[n..];
        }
    }
}

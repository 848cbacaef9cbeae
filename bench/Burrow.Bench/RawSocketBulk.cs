using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;

namespace Burrow.Bench;

/// <summary>
/// The same bulk transfer as <see cref="MuxBulk"/> on a bare socket pair: 64 KiB sends, a
/// receiver that only counts, and the same end condition as the mux runs and the Go peer (the
/// clock stops when the receiver's 8-byte count comes back after the sender's half-close).
/// </summary>
/// <remarks>
/// Two variants. Blocking calls on two dedicated threads are the ceiling: on this 2-core
/// machine they move loopback data at about half the CPU per byte of the async calls, which go
/// through epoll and thread-pool hand-offs whenever a call cannot finish at once. The async
/// variant uses the I/O model Burrow.Mux itself runs on (NetworkStream async reads and writes),
/// so it shows how much of the gap to the ceiling is the model rather than the multiplexer.
/// </remarks>
internal static class RawSocketBulk
{
    public static async Task<double> RunAsync(long totalBytes, bool blocking)
    {
        var (client, server) = await LoopbackTcp.ConnectAsync();
        using (client)
        using (server)
        {
            var start = Stopwatch.GetTimestamp();
            Task sink;
            long counted;
            if (blocking)
            {
                sink = Task.Factory.StartNew(() => Sink(server), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                counted = await Task.Factory.StartNew(() => Send(client, totalBytes), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
            else
            {
                sink = Task.Run(() => SinkAsync(server));
                counted = await SendAsync(client, totalBytes);
            }

            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            await sink;
            return counted == totalBytes
                ? seconds
                : throw new InvalidOperationException($"raw socket: the receiver counted {counted} bytes of {totalBytes}");
        }
    }

    private static long Send(Socket socket, long totalBytes)
    {
        var data = new byte[BenchSettings.ChunkSize];
        for (var sent = 0L; sent < totalBytes;)
        {
            sent += socket.Send(data, 0, (int)Math.Min(data.Length, totalBytes - sent), SocketFlags.None);
        }

        socket.Shutdown(SocketShutdown.Send);
        var reply = new byte[8];
        for (var got = 0; got < reply.Length;)
        {
            var n = socket.Receive(reply, got, reply.Length - got, SocketFlags.None);
            got += n > 0 ? n : throw new EndOfStreamException("raw socket: the receiver closed before replying");
        }

        return BinaryPrimitives.ReadInt64BigEndian(reply);
    }

    private static void Sink(Socket socket)
    {
        var buffer = new byte[BenchSettings.ChunkSize];
        var total = 0L;
        int n;
        while ((n = socket.Receive(buffer)) > 0)
        {
            total += n;
        }

        BinaryPrimitives.WriteInt64BigEndian(buffer, total);
        socket.Send(buffer, 0, 8, SocketFlags.None);
        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task<long> SendAsync(Socket socket, long totalBytes)
    {
        var data = new byte[BenchSettings.ChunkSize];
        for (var sent = 0L; sent < totalBytes;)
        {
            sent += await socket.SendAsync(data.AsMemory(0, (int)Math.Min(data.Length, totalBytes - sent)));
        }

        socket.Shutdown(SocketShutdown.Send);
        var reply = new byte[8];
        for (var got = 0; got < reply.Length;)
        {
            var n = await socket.ReceiveAsync(reply.AsMemory(got));
            got += n > 0 ? n : throw new EndOfStreamException("raw socket: the receiver closed before replying");
        }

        return BinaryPrimitives.ReadInt64BigEndian(reply);
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
}

using System.Buffers.Binary;
using System.Diagnostics;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;

namespace Burrow.Bench;

/// <summary>The opening side of the Burrow.Mux runs: the same two jobs as the Go peer's bench-client.</summary>
internal static class MuxBenchClient
{
    /// <summary>Sends <paramref name="bytes"/> on a new 'S' stream in 64 KiB writes, half-closes, and checks the count the sink replies with.</summary>
    public static async Task SinkAsync(MuxSession session, long bytes)
    {
        var data = new byte[BenchSettings.ChunkSize];
        await using var stream = await session.OpenStreamAsync();
        await stream.WriteAsync("S"u8.ToArray());
        for (var sent = 0L; sent < bytes;)
        {
            var n = (int)Math.Min(data.Length, bytes - sent);
            await stream.WriteAsync(data.AsMemory(0, n));
            sent += n;
        }

        stream.CompleteWrites();
        var reply = new byte[8];
        await stream.ReadExactlyAsync(reply);
        var counted = BinaryPrimitives.ReadInt64BigEndian(reply);
        if (counted != bytes)
        {
            throw new InvalidOperationException($"stream {stream.Id}: the sink counted {counted} bytes of {bytes}");
        }
    }

    /// <summary>
    /// 1 KiB write, 1 KiB read back, on one 'E' stream, over and over until <paramref name="stop"/>
    /// fires; each round trip's time goes into <paramref name="samples"/>. Returns once the stream is open.
    /// </summary>
    /// <remarks>
    /// <paramref name="stop"/> is checked between round trips and never passed to the stream:
    /// cancelling a Mux read or write aborts the stream, and the last echo should finish cleanly.
    /// </remarks>
    public static async Task<Task> StartEchoLoopAsync(MuxSession session, LatencySamples samples, CancellationToken stop)
    {
        var stream = await session.OpenStreamAsync(CancellationToken.None);
        await stream.WriteAsync("E"u8.ToArray(), CancellationToken.None);
        return Task.Run(() => EchoLoopAsync(stream, samples, stop), CancellationToken.None);
    }

    private static async Task EchoLoopAsync(MuxStream stream, LatencySamples samples, CancellationToken stop)
    {
        await using (stream)
        {
            var message = new byte[BenchSettings.EchoSize];
            var back = new byte[BenchSettings.EchoSize];
            while (!stop.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                await stream.WriteAsync(message, CancellationToken.None);
                await stream.ReadExactlyAsync(back, CancellationToken.None);
                samples.Add(Stopwatch.GetTimestamp() - start);
            }

            stream.CompleteWrites();
        }
    }
}

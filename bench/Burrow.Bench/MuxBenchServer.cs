using System.Buffers.Binary;
using Burrow.Mux.Errors;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;

namespace Burrow.Bench;

/// <summary>
/// The accepting side of the Burrow.Mux runs. It speaks the same per-stream commands as the Go
/// peer's bench-server (tests/interop/go/yamuxpeer), so both pairs do the same work: 'S' counts
/// bytes until FIN and replies with the count, 'E' echoes until FIN.
/// </summary>
internal static class MuxBenchServer
{
    public static async Task ServeAsync(MuxSession session)
    {
        var handlers = new List<Task>();
        try
        {
            while (true)
            {
                var stream = await session.AcceptStreamAsync();
                handlers.Add(Task.Run(() => ServeStreamAsync(stream)));
            }
        }
        catch (MuxException) when (session.IsClosed)
        {
            // The run is over and the client closed the session.
        }

        await Task.WhenAll(handlers);
    }

    private static async Task ServeStreamAsync(MuxStream stream)
    {
        await using (stream)
        {
            try
            {
                var command = new byte[1];
                await stream.ReadExactlyAsync(command);
                switch (command[0])
                {
                    case (byte)'S':
                        await SinkAsync(stream);
                        break;
                    case (byte)'E':
                        await EchoAsync(stream);
                        break;
                    default:
                        throw new InvalidOperationException($"unknown bench command {command[0]}");
                }
            }
            catch (MuxException) when (stream.Session.IsClosed)
            {
                // The client ended the session while this stream was still open (e.g. the echo stream).
            }
        }
    }

    private static async Task SinkAsync(MuxStream stream)
    {
        var buffer = new byte[BenchSettings.ChunkSize];
        var total = 0L;
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            total += n;
        }

        BinaryPrimitives.WriteInt64BigEndian(buffer, total);
        await stream.WriteAsync(buffer.AsMemory(0, 8));
        stream.CompleteWrites();
    }

    private static async Task EchoAsync(MuxStream stream)
    {
        var buffer = new byte[BenchSettings.ChunkSize];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, n));
        }

        stream.CompleteWrites();
    }
}

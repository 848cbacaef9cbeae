using System.IO.Pipelines;
using Burrow.Mux.Frames;
using Burrow.Mux.Sessions;
using Burrow.Mux.Tests.Hostile;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Sessions;

public sealed class FairnessTests
{
    [Theory]
    [InlineData(TransportKind.LoopbackTcp)]
    [InlineData(TransportKind.LoopbackTls)]
    public async Task Small_messages_get_through_while_a_bulk_transfer_runs(TransportKind kind)
    {
        await using var pair = await SessionPair.CreateAsync(kind);
        var ct = TestData.Timeout(60);

        // One huge write: an unfair writer would send all of it before anything of another stream.
        var bulkPayload = new byte[512 * 1024 * 1024];
        var bulk = await pair.Client.OpenStreamAsync(ct);
        var bulkAccepted = await pair.Server.AcceptStreamAsync(ct);
        long drained = 0;
        var drain = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await bulkAccepted.ReadAsync(buffer, ct)) > 0)
            {
                Interlocked.Add(ref drained, n);
            }
        }, ct);
        var bulkWrite = Task.Run(async () =>
        {
            await bulk.WriteAsync(bulkPayload, ct);
            bulk.CompleteWrites();
        }, ct);

        // Wait until the bulk stream is really moving.
        while (Interlocked.Read(ref drained) < 8 * 1024 * 1024)
        {
            await Task.Delay(5, ct);
        }

        var echoStream = await pair.Client.OpenStreamAsync(ct);
        var echoAccepted = await pair.Server.AcceptStreamAsync(ct);
        var echo = Task.Run(async () => await echoAccepted.CopyToAsync(echoAccepted, ct), ct);
        var message = new byte[1024];
        var reply = new byte[1024];
        var echoesBeforeBulkDone = 0;
        var drainedAtFirstEcho = -1L;
        for (var i = 0; i < 50; i++)
        {
            message[0] = (byte)i;
            await echoStream.WriteAsync(message, ct);
            await echoStream.ReadExactlyAsync(reply, ct);
            Assert.Equal(i, reply[0]);
            if (i == 0)
            {
                drainedAtFirstEcho = Interlocked.Read(ref drained);
            }

            if (!bulkWrite.IsCompleted)
            {
                echoesBeforeBulkDone++;
            }
        }

        var drainedWhenEchoDone = Interlocked.Read(ref drained);
        echoStream.CompleteWrites();
        await echo;
        await bulkWrite;
        await drain;

        TestContext.Current.TestOutputHelper?.WriteLine($"{kind}: {echoesBeforeBulkDone} of 50 echoes before the bulk ended; {drainedAtFirstEcho} bytes moved at the first echo");

        // An unfair writer sends the whole 512 MiB before the first echo: none would come back
        // while the bulk runs. A fair one interleaves them; how many of the 50 round trips fit
        // into the bulk's time depends on the machine's load (each one crosses several thread
        // hops, while the bulk streams), so the bar is a handful, not all 50.
        Assert.True(
            echoesBeforeBulkDone >= 5 && drainedAtFirstEcho < bulkPayload.Length,
            $"the small stream waited for the bulk transfer: {echoesBeforeBulkDone} of 50 echoes came back before it ended; {drainedAtFirstEcho} bytes had moved at the first echo, {drainedWhenEchoDone} at the last");
        Assert.Equal(bulkPayload.Length, Interlocked.Read(ref drained));
    }

    [Fact]
    public async Task A_small_write_goes_before_the_bulk_frames_already_waiting()
    {
        var ct = TestData.Timeout(30);
        // The transport takes 32 KiB before a flush waits: the writer is stuck with bulk queued.
        var small = new PipeOptions(pauseWriterThreshold: 32 * 1024, resumeWriterThreshold: 16 * 1024, useSynchronizationContext: false);
        var toPeer = new Pipe(small);
        var toSession = new Pipe(small);
        await using var peer = RawPeer.Over(new DuplexPipe(toPeer.Reader, toSession.Writer));
        await using var session = MuxSession.Client(new DuplexPipe(toSession.Reader, toPeer.Writer));

        // Four bulk streams with 200 KiB each waiting (within the first 256 KiB window: the peer
        // need not answer), then one 1 KiB message.
        var bulkWrites = new List<Task>();
        var bulkIds = new HashSet<uint>();
        for (var i = 0; i < 4; i++)
        {
            var bulk = await session.OpenStreamAsync(ct);
            bulkIds.Add(bulk.Id);
            bulkWrites.Add(bulk.WriteAsync(new byte[200 * 1024], ct).AsTask());
        }

        var message = await session.OpenStreamAsync(ct);
        var messageWrite = message.WriteAsync(new byte[1024], ct).AsTask();

        peer.StartReading();
        long bulkBytesBefore = 0;
        while (true)
        {
            var frame = await peer.NextFrameAsync(ct) ?? throw new Xunit.Sdk.XunitException("the transport ended before the message");
            if (frame.Header.Type != FrameType.Data)
            {
                continue;
            }

            if (frame.Header.StreamId == message.Id && frame.Payload.Length > 0)
            {
                break;
            }

            if (bulkIds.Contains(frame.Header.StreamId))
            {
                bulkBytesBefore += frame.Payload.Length;
            }
        }

        await messageWrite.WaitAsync(ct);
        // What the writer had out before it stalled (two 64 KiB frames make one flush) and at most
        // one frame it was writing: taking turns with the bulk streams would put at least four more
        // 64 KiB frames first.
        Assert.True(bulkBytesBefore <= 192 * 1024, $"{bulkBytesBefore} bulk bytes went before the 1 KiB message");
        await Task.WhenAll(bulkWrites).WaitAsync(ct);
    }
}

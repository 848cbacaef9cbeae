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
        for (var i = 0; i < 50; i++)
        {
            message[0] = (byte)i;
            await echoStream.WriteAsync(message, ct);
            await echoStream.ReadExactlyAsync(reply, ct);
            Assert.Equal(i, reply[0]);
        }

        var bulkFinishedFirst = bulkWrite.IsCompleted;
        var drainedWhenEchoDone = Interlocked.Read(ref drained);
        echoStream.CompleteWrites();
        await echo;
        await bulkWrite;
        await drain;

        Assert.False(bulkFinishedFirst, $"the small stream waited for the whole bulk transfer ({drainedWhenEchoDone} bytes had moved)");
        Assert.Equal(bulkPayload.Length, Interlocked.Read(ref drained));
    }
}

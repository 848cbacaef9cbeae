using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Sessions;

public sealed class InlineWriteTests
{
    [Theory]
    [InlineData(TransportKind.LoopbackTcp)]
    [InlineData(TransportKind.LoopbackTlsCoalesced)]
    public async Task A_large_write_to_an_idle_writer_is_sent_before_it_returns(TransportKind kind)
    {
        await using var pair = await SessionPair.CreateAsync(kind);
        var ct = TestData.Timeout(30);
        var sender = await pair.Client.OpenStreamAsync(ct);
        await sender.WriteAsync(new byte[1], ct);
        var receiver = await pair.Server.AcceptStreamAsync(ct);
        await receiver.ReadExactlyAsync(new byte[1], ct);
        await Task.Delay(50, ct); // the SYN and the first byte are out: the writer is parked

        // 64 KiB, within the initial 256 KiB window, above the 16 KiB default threshold: the
        // writer runs on this thread, so the write is complete when WriteAsync returns.
        var payload = TestData.Random(64 * 1024, seed: 3);
        var write = sender.WriteAsync(payload, ct);
        Assert.True(write.IsCompletedSuccessfully, "an inline write completes before it returns");
        await write;

        var received = new byte[payload.Length];
        await receiver.ReadExactlyAsync(received, ct);
        Assert.Equal(payload, received);
    }

    [Fact]
    public async Task Inline_writes_from_a_thread_with_a_synchronization_context_do_not_capture_it()
    {
        await using var pair = await SessionPair.CreateAsync(TransportKind.LoopbackTcp, new MuxOptions { InlineWriteThreshold = 0 });
        var ct = TestData.Timeout(30);
        var streams = new List<(MuxStream Sender, Task<byte[]> Received)>();
        for (var i = 0; i < 8; i++)
        {
            var sender = await pair.Client.OpenStreamAsync(ct);
            var receiver = await pair.Server.AcceptStreamAsync(ct);
            streams.Add((sender, Task.Run(async () =>
            {
                using var all = new MemoryStream();
                await receiver.CopyToAsync(all, ct);
                return all.ToArray();
            }, ct)));
        }

        // A context that runs nothing: were the writer loop to post its continuation to it
        // (Task.Yield would), every stream's bytes would stop there.
        var payload = TestData.Random(1024 * 1024, seed: 5);
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(new SwallowingContext());
        Task[] writes;
        try
        {
            writes = streams.Select(s => WriteAllAsync(s.Sender, payload, ct)).ToArray();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        await Task.WhenAll(writes).WaitAsync(ct);
        foreach (var (_, received) in streams)
        {
            Assert.Equal(payload, await received.WaitAsync(ct));
        }
    }

    [Fact]
    public void A_negative_threshold_is_refused()
    {
        var (a, _) = DuplexPipe.CreatePair();
        var ex = Assert.Throws<ArgumentException>(() => MuxSession.Client(a, new MuxOptions { InlineWriteThreshold = -1 }));
        Assert.Contains(nameof(MuxOptions.InlineWriteThreshold), ex.Message, StringComparison.Ordinal);
    }

    private static async Task WriteAllAsync(MuxStream sender, byte[] payload, CancellationToken ct)
    {
        for (var offset = 0; offset < payload.Length; offset += 48 * 1024)
        {
            await sender.WriteAsync(payload.AsMemory(offset, Math.Min(48 * 1024, payload.Length - offset)), ct).ConfigureAwait(false);
        }

        sender.CompleteWrites();
    }

    private sealed class SwallowingContext : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state)
        {
        }
    }
}

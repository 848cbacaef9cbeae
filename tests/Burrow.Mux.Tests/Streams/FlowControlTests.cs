using Burrow.Mux.Errors;
using Burrow.Mux.Sessions;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Streams;

public sealed class FlowControlTests
{
    [Theory]
    [MemberData(nameof(SessionPair.AllKinds), MemberType = typeof(SessionPair))]
    public async Task Writer_blocks_when_window_is_spent_and_resumes_on_window_update(TransportKind kind)
    {
        await using var pair = await SessionPair.CreateAsync(kind);
        var ct = TestData.Timeout();
        var stream = await pair.Client.OpenStreamAsync(ct);
        var accepted = await pair.Server.AcceptStreamAsync(ct);

        // Exactly one window fits; one byte more must wait for the reader.
        await stream.WriteAsync(new byte[MuxOptions.InitialStreamWindow], ct);
        var blocked = stream.WriteAsync(new byte[] { 42 }, ct).AsTask();
        await Task.Delay(300, ct);
        Assert.False(blocked.IsCompleted, "a write beyond the peer's window must wait");

        var drained = new byte[MuxOptions.InitialStreamWindow];
        await accepted.ReadExactlyAsync(drained, ct);
        await blocked.WaitAsync(ct);
        var last = new byte[1];
        await accepted.ReadExactlyAsync(last, ct);
        Assert.Equal(42, last[0]);
    }

    [Fact]
    public async Task Receiver_never_buffers_more_than_the_advertised_window()
    {
        // The acceptor never reads: whatever the opener manages to push is all it buffers.
        var (a, b) = DuplexPipe.CreatePair();
        var counting = new CountingDuplexPipe(a);
        await using var client = MuxSession.Client(counting);
        await using var server = MuxSession.Server(b);
        var ct = TestData.Timeout();
        var stream = await client.OpenStreamAsync(ct);
        _ = await server.AcceptStreamAsync(ct);
        var write = stream.WriteAsync(new byte[4 * 1024 * 1024], ct).AsTask();
        await Task.Delay(500, ct);
        Assert.False(write.IsCompleted);

        // Payload bytes that went out = data frames minus headers; never more than one window.
        var payloadSent = counting.BytesWritten - counting.FramesWritten * 12;
        Assert.InRange(payloadSent, 1, MuxOptions.InitialStreamWindow);
        stream.Abort();
        var error = await Assert.ThrowsAsync<MuxStreamException>(() => write.WaitAsync(ct));
        Assert.Equal(MuxError.StreamAborted, error.Error);
    }

    [Fact]
    public async Task Window_grows_beyond_initial_on_a_link_with_latency()
    {
        // 20 ms each way: a fixed 256 KiB window would cap one stream at ~6 MB/s; auto-tuning
        // must grow the window toward bandwidth x RTT.
        var (a, b) = DuplexPipe.CreatePair();
        await using var client = MuxSession.Client(new DelayedDuplexPipe(a, TimeSpan.FromMilliseconds(20)));
        await using var server = MuxSession.Server(new DelayedDuplexPipe(b, TimeSpan.FromMilliseconds(20)));
        var ct = TestData.Timeout(60);
        await client.PingAsync(ct);
        await server.PingAsync(ct);

        var stream = await client.OpenStreamAsync(ct);
        var accepted = await server.AcceptStreamAsync(ct);
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = await accepted.ReadAsync(buffer, ct)) > 0)
            {
                total += n;
            }

            return total;
        }, ct);

        var chunk = new byte[256 * 1024];
        for (var i = 0; i < 64; i++)
        {
            await stream.WriteAsync(chunk, ct);
        }

        stream.CompleteWrites();
        Assert.Equal(64L * chunk.Length, await reader);
        Assert.True(accepted.ReceiveWindowTarget > MuxOptions.InitialStreamWindow, $"window stayed at {accepted.ReceiveWindowTarget}");
        Assert.True(accepted.ReceiveWindowTarget <= MuxOptions.Default.MaxStreamWindow);
    }

    [Fact]
    public async Task Window_growth_stops_at_MaxStreamWindow()
    {
        var options = new MuxOptions { MaxStreamWindow = 512 * 1024 };
        var (a, b) = DuplexPipe.CreatePair();
        await using var client = MuxSession.Client(new DelayedDuplexPipe(a, TimeSpan.FromMilliseconds(10)), options);
        await using var server = MuxSession.Server(new DelayedDuplexPipe(b, TimeSpan.FromMilliseconds(10)), options);
        var ct = TestData.Timeout(60);
        await server.PingAsync(ct);
        var stream = await client.OpenStreamAsync(ct);
        var accepted = await server.AcceptStreamAsync(ct);
        var reader = Task.Run(() => TestData.ReadToEndAsync(accepted, ct), ct);
        await stream.WriteAsync(new byte[16 * 1024 * 1024], ct);
        stream.CompleteWrites();
        Assert.Equal(16 * 1024 * 1024, (await reader).Length);
        Assert.Equal(512 * 1024, accepted.ReceiveWindowTarget);
    }
}

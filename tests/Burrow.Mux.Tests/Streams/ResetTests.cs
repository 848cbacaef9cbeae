using Burrow.Mux.Errors;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Streams;

public sealed class ResetTests
{
    [Theory]
    [MemberData(nameof(SessionPair.AllKinds), MemberType = typeof(SessionPair))]
    public async Task Abort_makes_peer_reads_and_writes_fail_with_reset(TransportKind kind)
    {
        await using var pair = await SessionPair.CreateAsync(kind);
        var ct = TestData.Timeout();
        var stream = await pair.Client.OpenStreamAsync(ct);
        await stream.WriteAsync(new byte[10], ct);
        var accepted = await pair.Server.AcceptStreamAsync(ct);
        var pendingRead = accepted.ReadAsync(new byte[100], ct);
        Assert.Equal(10, await pendingRead);

        stream.Abort();

        var readError = await Assert.ThrowsAsync<MuxStreamException>(async () => await accepted.ReadAsync(new byte[100], ct));
        Assert.Equal(MuxError.StreamResetByPeer, readError.Error);
        var writeError = await Assert.ThrowsAsync<MuxStreamException>(async () => await accepted.WriteAsync(new byte[1], ct));
        Assert.Equal(MuxError.StreamResetByPeer, writeError.Error);

        var localError = await Assert.ThrowsAsync<MuxStreamException>(async () => await stream.ReadAsync(new byte[1], ct));
        Assert.Equal(MuxError.StreamAborted, localError.Error);
        await Assert.ThrowsAsync<MuxStreamException>(() => accepted.ReadsClosed.WaitAsync(ct));
    }

    [Fact]
    public async Task Reset_wakes_a_writer_blocked_on_the_window()
    {
        await using var pair = await SessionPair.CreateAsync(TransportKind.LoopbackTcp);
        var ct = TestData.Timeout();
        var stream = await pair.Client.OpenStreamAsync(ct);
        var accepted = await pair.Server.AcceptStreamAsync(ct);
        // 1 MiB is four windows: with nobody reading, the write must block.
        var write = stream.WriteAsync(new byte[1024 * 1024], ct).AsTask();
        await Task.Delay(200, ct);
        Assert.False(write.IsCompleted);

        accepted.Abort();

        var error = await Assert.ThrowsAsync<MuxStreamException>(() => write.WaitAsync(ct));
        Assert.Equal(MuxError.StreamResetByPeer, error.Error);
    }

    [Fact]
    public async Task Cancelling_a_read_aborts_the_stream_like_QuicStream()
    {
        await using var pair = await SessionPair.CreateAsync(TransportKind.InMemoryPipe);
        var ct = TestData.Timeout();
        var stream = await pair.Client.OpenStreamAsync(ct);
        var accepted = await pair.Server.AcceptStreamAsync(ct);
        using var cancel = new CancellationTokenSource();
        var read = stream.ReadAsync(new byte[10], cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);

        var peerError = await Assert.ThrowsAsync<MuxStreamException>(async () => await accepted.ReadAsync(new byte[1], ct));
        Assert.Equal(MuxError.StreamResetByPeer, peerError.Error);
    }

    [Fact]
    public async Task Reset_stream_leaves_the_session_table_on_both_sides()
    {
        await using var pair = await SessionPair.CreateAsync(TransportKind.InMemoryPipe);
        var ct = TestData.Timeout();
        var stream = await pair.Client.OpenStreamAsync(ct);
        var accepted = await pair.Server.AcceptStreamAsync(ct);
        stream.Abort();
        await Assert.ThrowsAsync<MuxStreamException>(() => accepted.ReadsClosed.WaitAsync(ct));
        Assert.Equal(0, pair.Client.StreamCount);
        Assert.Equal(0, pair.Server.StreamCount);
    }

    [Fact]
    public async Task Closed_streams_leave_the_table_after_both_fins()
    {
        await using var pair = await SessionPair.CreateAsync(TransportKind.InMemoryPipe);
        var ct = TestData.Timeout();
        for (var i = 0; i < 50; i++)
        {
            await using var stream = await pair.Client.OpenStreamAsync(ct);
            stream.CompleteWrites();
            await using var accepted = await pair.Server.AcceptStreamAsync(ct);
            Assert.Empty(await TestData.ReadToEndAsync(accepted, ct));
            accepted.CompleteWrites();
            Assert.Empty(await TestData.ReadToEndAsync(stream, ct));
        }

        // The last FINs may still be in flight; the tables drain without anyone touching them.
        for (var i = 0; i < 100 && (pair.Client.StreamCount + pair.Server.StreamCount) > 0; i++)
        {
            await Task.Delay(20, ct);
        }

        Assert.Equal(0, pair.Client.StreamCount);
        Assert.Equal(0, pair.Server.StreamCount);
    }
}

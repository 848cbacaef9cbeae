using System.Diagnostics;
using Burrow.Mux.Muxado;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Muxado;

/// <summary>How sessions end: gracefully with GOAWAY as the very last frame, abruptly, or because the peer went away.</summary>
public sealed class MuxadoCloseTests
{
    [Theory]
    [InlineData(MuxadoTransport.LoopbackTcp)]
    [InlineData(MuxadoTransport.LoopbackTls)]
    [InlineData(MuxadoTransport.InMemoryPipe)]
    public async Task CloseAsync_sends_queued_data_and_FINs_then_GOAWAY_as_the_final_bytes_then_closes(MuxadoTransport transport)
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync(transport);
        await using var _ = peer;
        await peer.SendAsync(RawMuxadoPeer.Data(3, "open", RawMuxadoFrame.Syn));
        var inbound = await session.AcceptStreamAsync(ct);
        var payload = TestData.Random(200_000, seed: 4);
        var outbound = await session.OpenStreamAsync(ct);
        await outbound.WriteAsync(payload, ct);
        outbound.CompleteWrites();
        await inbound.WriteAsync("last words"u8.ToArray(), ct);
        inbound.CompleteWrites();

        await session.CloseAsync(MuxadoErrorCode.NoError, TimeSpan.FromSeconds(10), ct);

        // The peer never hangs up: the session closed the transport itself, after the linger.
        var frames = await peer.ReadToEndAsync(ct);
        Assert.Equal(0, peer.Leftover); // not one byte after the last whole frame
        var goAway = frames[^1];
        Assert.Equal(RawMuxadoFrame.GoAway, goAway.Type);
        Assert.Equal(0u, goAway.StreamId);
        Assert.Equal((3u, (uint)MuxadoErrorCode.NoError), (goAway.First, goAway.GoAwayCode));
        Assert.DoesNotContain(frames[..^1], f => f.Type == RawMuxadoFrame.GoAway);

        var sent = frames.Where(f => f.IsData && f.StreamId == 2).ToList();
        Assert.Equal(TestData.Hash(payload), TestData.Hash(sent.SelectMany(f => f.Payload).ToArray()));
        Assert.True(sent[^1].Has(RawMuxadoFrame.Fin));
        Assert.Contains(frames, f => f.IsData && f.StreamId == 3 && f.Has(RawMuxadoFrame.Fin));

        var info = await session.Completion;
        Assert.Equal(MuxadoErrorCode.NoError, info.LocalGoAwayCode);
        Assert.Null(info.RemoteGoAwayCode);
    }

    [Fact]
    public async Task CloseAsync_waits_for_window_only_until_the_deadline_and_still_ends_with_GOAWAY()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = peer;
        var stream = await session.OpenStreamAsync(ct);
        var write = stream.WriteAsync(new byte[2 * MuxadoOptions.Window], ct).AsTask(); // the peer never grants more

        var clock = Stopwatch.StartNew();
        await session.CloseAsync(MuxadoErrorCode.NoError, TimeSpan.FromMilliseconds(500), ct);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<MuxadoException>(() => write.WaitAsync(ct));
        Assert.Equal(MuxadoErrorCode.SessionClosed, error.Code);
        var frames = await peer.ReadToEndAsync(ct);
        Assert.Equal(MuxadoOptions.Window, frames.Where(f => f.IsData).Sum(f => f.Payload.Length));
        Assert.Equal(RawMuxadoFrame.GoAway, frames[^1].Type);
        Assert.Equal(0, peer.Leftover);
    }

    [Fact]
    public async Task CloseAsync_against_a_peer_that_neither_reads_nor_hangs_up_ends_within_its_timeout()
    {
        var ct = TestData.Timeout();
        var (silent, far) = await Loopback.ConnectTcpAsync();
        await using var _ = silent; // never read: the socket buffers fill and the session's writer blocks
        var session = MuxadoSession.Server(far);

        // 64 windows' worth of data: more than loopback's socket buffers hold.
        var writes = new List<Task>();
        for (var i = 0; i < 64; i++)
        {
            var stream = await session.OpenStreamAsync(ct);
            writes.Add(stream.WriteAsync(new byte[MuxadoOptions.Window], ct).AsTask());
        }

        var clock = Stopwatch.StartNew();
        await session.CloseAsync(MuxadoErrorCode.NoError, TimeSpan.FromSeconds(1), ct);

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(4));
        Assert.True(session.Completion.IsCompleted);
        foreach (var write in writes)
        {
            // Those the socket took completed; the rest failed with the session.
            var error = await Record.ExceptionAsync(() => write);
            Assert.True(error is null or MuxadoException, error?.ToString());
        }
    }

    [Fact]
    public async Task While_closing_new_streams_and_writes_are_refused_both_ways()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = peer;
        await peer.SendAsync(RawMuxadoPeer.Data(3, "open", RawMuxadoFrame.Syn));
        var inbound = await session.AcceptStreamAsync(ct);
        var stuck = await session.OpenStreamAsync(ct);
        var write = stuck.WriteAsync(new byte[2 * MuxadoOptions.Window], ct).AsTask(); // keeps the close draining

        var close = session.CloseAsync(MuxadoErrorCode.NoError, TimeSpan.FromSeconds(30), ct);
        Assert.True(session.IsClosed);
        var open = await Assert.ThrowsAsync<MuxadoException>(async () => await session.OpenStreamAsync(ct));
        Assert.Equal(MuxadoErrorCode.SessionClosed, open.Code);
        var newWrite = await Assert.ThrowsAsync<MuxadoException>(async () => await inbound.WriteAsync(new byte[1], ct));
        Assert.Equal(MuxadoErrorCode.SessionClosed, newWrite.Code);
        await peer.SendAsync(RawMuxadoPeer.Data(5, "late", RawMuxadoFrame.Syn));
        var refused = await peer.ExpectAsync(f => f.Type == RawMuxadoFrame.Rst, "RST for the late stream", ct);
        Assert.Equal((5u, (uint)MuxadoErrorCode.StreamRefused), (refused.StreamId, refused.First));

        // Granting the window lets the queued write finish, and the close with it.
        await peer.SendAsync(RawMuxadoPeer.WndInc(2, MuxadoOptions.Window));
        await write.WaitAsync(ct);
        await close.WaitAsync(ct);
        var frames = await peer.ReadToEndAsync(ct);
        Assert.Equal(RawMuxadoFrame.GoAway, frames[^1].Type);
    }

    [Theory]
    [MemberData(nameof(MuxadoPair.AllTransports), MemberType = typeof(MuxadoPair))]
    public async Task The_peer_of_a_graceful_close_sees_its_GOAWAY_code_and_both_ends_complete(MuxadoTransport transport)
    {
        await using var pair = await MuxadoPair.CreateAsync(transport);
        var ct = TestData.Timeout();
        var stream = await pair.Client.OpenStreamAsync(ct);
        await stream.WriteAsync("x"u8.ToArray(), ct);
        var accepted = await pair.Server.AcceptStreamAsync(ct);
        await accepted.WriteAsync("reply"u8.ToArray(), ct);
        accepted.CompleteWrites();
        var pendingAccept = pair.Client.AcceptStreamAsync(ct).AsTask();

        await pair.Server.CloseAsync(MuxadoErrorCode.InternalError, TimeSpan.FromSeconds(10), ct);

        var info = await pair.Client.Completion.WaitAsync(ct);
        Assert.Equal(MuxadoErrorCode.InternalError, info.RemoteGoAwayCode);
        var acceptError = await Assert.ThrowsAsync<MuxadoException>(() => pendingAccept);
        Assert.Equal((MuxadoErrorCode.RemoteGoneAway, true), (acceptError.Code, acceptError.IsRemote));
        // What the server sent before its FIN stays readable on the client.
        Assert.Equal("reply"u8.ToArray(), await TestData.ReadToEndAsync(stream, ct));
        Assert.Equal(MuxadoErrorCode.InternalError, (await pair.Server.Completion).LocalGoAwayCode);
    }

    [Theory]
    [MemberData(nameof(MuxadoPair.AllTransports), MemberType = typeof(MuxadoPair))]
    public async Task Dispose_closes_at_once_and_the_peer_sees_end_of_stream(MuxadoTransport transport)
    {
        await using var pair = await MuxadoPair.CreateAsync(transport);
        var ct = TestData.Timeout();
        var stream = await pair.Client.OpenStreamAsync(ct);
        await stream.WriteAsync("x"u8.ToArray(), ct);
        var accepted = await pair.Server.AcceptStreamAsync(ct);
        await accepted.ReadExactlyAsync(new byte[1], ct);

        await pair.Client.DisposeAsync();

        Assert.True(pair.Client.IsClosed);
        var local = await Assert.ThrowsAsync<MuxadoException>(async () => await stream.WriteAsync(new byte[1], ct));
        Assert.Equal(MuxadoErrorCode.SessionClosed, local.Code);
        var info = await pair.Server.Completion.WaitAsync(ct);
        Assert.Null(info.RemoteGoAwayCode);
        var remote = await Assert.ThrowsAsync<MuxadoException>(async () => await accepted.ReadAsync(new byte[1], ct));
        Assert.Equal(MuxadoErrorCode.PeerEOF, remote.Code);
        var open = await Assert.ThrowsAsync<MuxadoException>(async () => await pair.Server.OpenStreamAsync(ct));
        Assert.Equal(MuxadoErrorCode.PeerEOF, open.Code);
    }

    [Fact]
    public async Task Cancelling_CloseAsync_closes_at_once()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = peer;
        var stream = await session.OpenStreamAsync(ct);
        var write = stream.WriteAsync(new byte[2 * MuxadoOptions.Window], ct).AsTask(); // keeps the close draining
        using var cancel = new CancellationTokenSource();

        var close = session.CloseAsync(MuxadoErrorCode.NoError, TimeSpan.FromMinutes(5), cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => close);
        Assert.True(session.Completion.IsCompleted);
        await Assert.ThrowsAsync<MuxadoException>(() => write.WaitAsync(ct));
        await peer.ReadToEndAsync(ct);
    }

    [Theory]
    [InlineData("")]
    [InlineData("session closed by the agent")]
    public async Task A_peer_GOAWAY_ends_the_session_with_its_code_and_debug(string debug)
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = peer;
        await peer.SendAsync(RawMuxadoPeer.Data(3, "half", RawMuxadoFrame.Syn));
        var stream = await session.AcceptStreamAsync(ct);

        await peer.SendAsync(RawMuxadoPeer.GoAway(3, MuxadoErrorCode.InternalError, debug));

        var info = await session.Completion.WaitAsync(ct);
        Assert.Equal(MuxadoErrorCode.InternalError, info.RemoteGoAwayCode);
        Assert.Equal(debug.Length == 0 ? null : debug, info.RemoteGoAwayDebug);
        var error = await Assert.ThrowsAsync<MuxadoException>(async () => await stream.ReadAsync(new byte[8], ct));
        Assert.Equal((MuxadoErrorCode.RemoteGoneAway, true), (error.Code, error.IsRemote));
        var frames = await peer.ReadToEndAsync(ct);
        Assert.DoesNotContain(frames, f => f.Type == RawMuxadoFrame.GoAway); // nothing to answer: the peer is gone
    }

    [Fact]
    public async Task A_GOAWAY_framed_like_ngrok_rusts_with_8_bytes_beyond_its_length_is_understood()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = peer;

        // ngrok-rust declares only the message's length but writes last id and code before it.
        var message = "reconnecting now"u8.ToArray();
        await peer.SendAsync(
            RawMuxadoPeer.Header(RawMuxadoFrame.GoAway, 0, 0, message.Length),
            RawMuxadoPeer.U32(0),
            RawMuxadoPeer.U32((uint)MuxadoErrorCode.NoError),
            message);

        var info = await session.Completion.WaitAsync(ct);
        Assert.Equal(MuxadoErrorCode.NoError, info.RemoteGoAwayCode);
        Assert.Null(info.Exception);
        Assert.DoesNotContain(await peer.ReadToEndAsync(ct), f => f.Type == RawMuxadoFrame.GoAway);
    }

    [Fact]
    public async Task A_frame_cut_off_by_the_end_of_the_transport_ends_the_session_cleanly()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = peer;
        await peer.SendAsync(RawMuxadoPeer.Data(3, "whole", RawMuxadoFrame.Syn | RawMuxadoFrame.Fin));
        var stream = await session.AcceptStreamAsync(ct);

        await peer.SendAsync(RawMuxadoPeer.Header(RawMuxadoFrame.Data, RawMuxadoFrame.Syn, 5, 100), new byte[10]);
        await peer.CloseOutputAsync();

        var info = await session.Completion.WaitAsync(ct);
        Assert.Contains("middle of a frame", info.Reason, StringComparison.Ordinal);
        Assert.Equal("whole"u8.ToArray(), await TestData.ReadToEndAsync(stream, ct)); // it had its FIN
        var accept = await Assert.ThrowsAsync<MuxadoException>(async () => await session.AcceptStreamAsync(ct));
        Assert.Equal(MuxadoErrorCode.PeerEOF, accept.Code);
    }
}

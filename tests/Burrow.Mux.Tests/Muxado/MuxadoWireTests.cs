using System.Text;
using Burrow.Mux.Muxado;

namespace Burrow.Mux.Tests.Muxado;

/// <summary>What a server session puts on the wire, read by a raw peer over a real loopback socket.</summary>
public sealed class MuxadoWireTests
{
    [Fact]
    public async Task First_write_carries_SYN_with_its_bytes_on_even_ids_from_2()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = session;
        await using var __ = peer;

        var first = await session.OpenStreamAsync(ct);
        var second = await session.OpenStreamAsync(ct);
        await first.WriteAsync("hi"u8.ToArray(), ct);
        await first.WriteAsync("there"u8.ToArray(), ct);
        second.CompleteWrites(); // a stream that only closes: SYN and FIN on one empty frame

        var syn = await peer.ExpectAsync(f => f.IsData, "the first DATA", ct);
        Assert.Equal((2u, RawMuxadoFrame.Syn, "hi"), (syn.StreamId, syn.Flags, Encoding.ASCII.GetString(syn.Payload)));
        var next = await peer.ExpectAsync(f => f.IsData, "the second DATA", ct);
        Assert.Equal((2u, 0, "there"), (next.StreamId, next.Flags, Encoding.ASCII.GetString(next.Payload)));
        var bare = await peer.ExpectAsync(f => f.IsData, "the bare FIN", ct);
        Assert.Equal((4u, RawMuxadoFrame.Syn | RawMuxadoFrame.Fin, 0), (bare.StreamId, bare.Flags, bare.Payload.Length));
    }

    [Fact]
    public async Task A_peer_SYN_may_carry_the_first_bytes_and_FIN_at_once()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = session;
        await using var __ = peer;

        await peer.SendAsync(RawMuxadoPeer.Data(3, "hello", RawMuxadoFrame.Syn), RawMuxadoPeer.Data(5, "bye", RawMuxadoFrame.Syn | RawMuxadoFrame.Fin));

        var first = await session.AcceptStreamAsync(ct);
        Assert.Equal(3u, first.Id);
        var buffer = new byte[5];
        await first.ReadExactlyAsync(buffer, ct);
        Assert.Equal("hello", Encoding.ASCII.GetString(buffer));
        var second = await session.AcceptStreamAsync(ct);
        Assert.Equal("bye", Encoding.ASCII.GetString(await TestData.ReadToEndAsync(second, ct)));

        // The stream that arrived half-closed still answers.
        await second.WriteAsync("ok"u8.ToArray(), ct);
        second.CompleteWrites();
        var reply = await peer.ExpectAsync(f => f.IsData && f.StreamId == 5 && f.Has(RawMuxadoFrame.Fin), "the reply's FIN", ct);
        Assert.False(reply.Has(RawMuxadoFrame.Syn));
    }

    [Fact]
    public async Task A_SYN_for_id_1_is_accepted_as_Gos_muxado_does_though_clients_start_at_3()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = session;
        await using var __ = peer;

        await peer.SendAsync(RawMuxadoPeer.Data(1, "one", RawMuxadoFrame.Syn));

        Assert.Equal(1u, (await session.AcceptStreamAsync(ct)).Id);
    }

    [Fact]
    public async Task Writes_never_exceed_the_window_and_resume_exactly_by_each_WNDINC()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = session;
        await using var __ = peer;
        var payload = TestData.Random(MuxadoOptions.Window + 100_000, seed: 3);
        var stream = await session.OpenStreamAsync(ct);
        var write = stream.WriteAsync(payload, ct).AsTask();

        using var received = new MemoryStream();
        while (received.Length < MuxadoOptions.Window)
        {
            var frame = await peer.ExpectAsync(f => f.IsData, "data within the window", ct);
            Assert.InRange(frame.Payload.Length, 1, 64 * 1024);
            received.Write(frame.Payload);
        }

        // Exactly one window, then nothing until the peer grants more: 1000 bytes buys 1000 bytes.
        Assert.Equal(MuxadoOptions.Window, received.Length);
        Assert.False(write.IsCompleted);
        await peer.SendAsync(RawMuxadoPeer.WndInc(2, 1000));
        var granted = await peer.ExpectAsync(f => f.IsData, "data after WNDINC 1000", ct);
        Assert.Equal(1000, granted.Payload.Length);
        received.Write(granted.Payload);

        await peer.SendAsync(RawMuxadoPeer.WndInc(2, 1_000_000));
        while (received.Length < payload.Length)
        {
            received.Write((await peer.ExpectAsync(f => f.IsData, "the rest", ct)).Payload);
        }

        await write.WaitAsync(ct);
        Assert.Equal(TestData.Hash(payload), TestData.Hash(received.ToArray()));
    }

    [Fact]
    public async Task Consumed_data_is_given_back_with_WNDINC_so_the_peer_never_stalls()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = session;
        await using var __ = peer;

        // A whole window in four frames, as a peer may send before any WNDINC.
        var quarter = new byte[MuxadoOptions.Window / 4];
        await peer.SendAsync(
            RawMuxadoPeer.Data(3, quarter, RawMuxadoFrame.Syn),
            RawMuxadoPeer.Data(3, quarter),
            RawMuxadoPeer.Data(3, quarter),
            RawMuxadoPeer.Data(3, quarter));
        var stream = await session.AcceptStreamAsync(ct);
        await stream.ReadExactlyAsync(new byte[MuxadoOptions.Window], ct);

        // A reply after the reads: control frames go out before data, so every WNDINC the reads
        // caused comes before it.
        await stream.WriteAsync("done"u8.ToArray(), ct);
        long granted = 0;
        while (await peer.NextFrameAsync(ct) is { Type: RawMuxadoFrame.WndInc } increment)
        {
            Assert.Equal(3u, increment.StreamId);
            Assert.True(increment.First >= MuxadoStream.WindowUpdateThreshold, $"WNDINC of {increment.First}: increments are batched");
            granted += increment.First;
        }

        // Batches of at least a quarter window: less than a quarter may stay unreturned, never more.
        Assert.InRange(granted, MuxadoOptions.Window - MuxadoStream.WindowUpdateThreshold + 1, MuxadoOptions.Window);
        await peer.SendAsync(RawMuxadoPeer.Data(3, new byte[granted]));
        await stream.ReadExactlyAsync(new byte[granted], ct);
        Assert.Equal(1, session.StreamCount); // a flow control reset would have ended the stream
    }

    [Fact]
    public async Task Data_for_an_unknown_stream_gets_RST_StreamClosed_and_the_session_goes_on()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = session;
        await using var __ = peer;

        await peer.SendAsync(RawMuxadoPeer.Data(7, "who?"));

        var reset = await peer.ExpectAsync(f => f.Type == RawMuxadoFrame.Rst, "RST", ct);
        Assert.Equal((7u, (uint)MuxadoErrorCode.StreamClosed), (reset.StreamId, reset.First));
        await peer.SendAsync(RawMuxadoPeer.Data(9, "fine", RawMuxadoFrame.Syn));
        var stream = await session.AcceptStreamAsync(ct);
        Assert.Equal(9u, stream.Id);
    }

    [Fact]
    public async Task Late_RST_WNDINC_and_bare_FIN_for_unknown_streams_are_let_go()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = session;
        await using var __ = peer;

        await peer.SendAsync(
            RawMuxadoPeer.Rst(11, MuxadoErrorCode.StreamCancelled),
            RawMuxadoPeer.WndInc(13, 5),
            RawMuxadoPeer.Data(15, [], RawMuxadoFrame.Fin),
            RawMuxadoPeer.Data(17, "ping", RawMuxadoFrame.Syn));
        var stream = await session.AcceptStreamAsync(ct);
        await stream.WriteAsync("pong"u8.ToArray(), ct);

        // Control frames go out before data: had any of the above provoked an RST, it would come first.
        var first = await peer.NextFrameAsync(ct);
        Assert.Equal((RawMuxadoFrame.Data, 17u), (first!.Type, first.StreamId));
    }

    [Fact]
    public async Task Data_that_came_with_the_FIN_stays_readable_after_the_peers_reset()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = session;
        await using var __ = peer;

        await peer.SendAsync(
            RawMuxadoPeer.Data(3, "complete", RawMuxadoFrame.Syn | RawMuxadoFrame.Fin),
            RawMuxadoPeer.Rst(3, MuxadoErrorCode.StreamReset),
            RawMuxadoPeer.Data(5, "cut", RawMuxadoFrame.Syn),
            RawMuxadoPeer.Rst(5, MuxadoErrorCode.StreamReset));

        var finished = await session.AcceptStreamAsync(ct);
        var cut = await session.AcceptStreamAsync(ct);
        Assert.Equal("complete", Encoding.ASCII.GetString(await TestData.ReadToEndAsync(finished, ct)));
        var error = await Assert.ThrowsAsync<MuxadoException>(async () => await cut.ReadAsync(new byte[8], ct));
        Assert.Equal((MuxadoErrorCode.StreamReset, true), (error.Code, error.IsRemote));
        var writeError = await Assert.ThrowsAsync<MuxadoException>(async () => await finished.WriteAsync(new byte[1], ct));
        Assert.Equal(MuxadoErrorCode.StreamReset, writeError.Code);
    }

    [Fact]
    public async Task Dispose_after_CompleteWrites_sends_FIN_and_no_RST_then_answers_late_data_with_StreamClosed()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = session;
        await using var __ = peer;

        // An RPC the way ngrok's clients do it: a request, never half-closed, and a reply with FIN.
        await peer.SendAsync(RawMuxadoPeer.Data(3, "{\"request\":1}", RawMuxadoFrame.Syn));
        var stream = await session.AcceptStreamAsync(ct);
        await stream.ReadExactlyAsync(new byte[13], ct);
        await stream.WriteAsync("{\"reply\":1}"u8.ToArray(), ct);
        stream.CompleteWrites();
        await stream.DisposeAsync();

        var reply = await peer.ExpectAsync(f => f.IsData && f.Has(RawMuxadoFrame.Fin), "the reply's FIN", ct);
        Assert.Equal(3u, reply.StreamId);
        while (session.StreamCount != 0)
        {
            await Task.Delay(10, ct);
        }

        await peer.SendAsync(RawMuxadoPeer.Data(3, "more"));
        var reset = await peer.NextFrameAsync(ct);
        Assert.Equal((RawMuxadoFrame.Rst, 3u, (uint)MuxadoErrorCode.StreamClosed), (reset!.Type, reset.StreamId, reset.First));
    }

    [Fact]
    public async Task Dispose_of_an_unfinished_stream_sends_RST_StreamCancelled_and_of_an_unannounced_one_nothing()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = session;
        await using var __ = peer;

        var unannounced = await session.OpenStreamAsync(ct); // id 2: never written, so the peer never heard of it
        await unannounced.DisposeAsync();
        await peer.SendAsync(RawMuxadoPeer.Data(3, "request", RawMuxadoFrame.Syn));
        var stream = await session.AcceptStreamAsync(ct);
        await stream.DisposeAsync();

        var reset = await peer.NextFrameAsync(ct);
        Assert.Equal((RawMuxadoFrame.Rst, 3u, (uint)MuxadoErrorCode.StreamCancelled), (reset!.Type, reset.StreamId, reset.First));
        Assert.Equal(0, session.StreamCount);
    }
}

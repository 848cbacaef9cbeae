using System.IO.Pipelines;
using Burrow.Mux.Errors;
using Burrow.Mux.Frames;
using Burrow.Mux.Sessions;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Hostile;

/// <summary>
/// A peer that breaks the protocol gets Go Away (protocol error) and a closed transport, and the
/// session reports why; frames yamux tolerates leave the session up. The peer here is a
/// <see cref="RawPeer"/>, so every byte on the wire is the test's choice.
/// </summary>
public sealed class ProtocolViolationTests
{
    public enum Violation
    {
        BadVersion,
        UnknownType,
        DataBeyondWindow,
        DataForNeverOpenedStream,
        WindowUpdateForNeverOpenedStream,
        OversizedDataLength,
        DuplicateSyn,
        SynWithWrongParity,
        WindowUpdateOnStreamZero,
        PingOnStream,
        GoAwayOnStream,
        WindowOverflow,
    }

    public static TheoryData<Violation, TransportKind> Cases()
    {
        var data = new TheoryData<Violation, TransportKind>();
        foreach (var violation in Enum.GetValues<Violation>())
        {
            foreach (var kind in Enum.GetValues<TransportKind>())
            {
                data.Add(violation, kind);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Violation_sends_GoAway_protocol_error_and_closes_the_transport(Violation violation, TransportKind kind)
    {
        using var watch = new UnobservedExceptionWatch();
        var ct = TestData.Timeout(15);
        var (peer, session) = await RawPeer.ConnectAsync(kind, sessionIsServer: true);
        await using (peer)
        {
            var (bytes, problem) = Provoke(violation);
            try
            {
                await peer.SendAsync(bytes);
            }
            catch (IOException)
            {
                // The session may reject a frame from its header and close before the rest is sent.
            }

            var goAway = await peer.ExpectAsync(f => f.Header.Type == FrameType.GoAway, "Go Away", ct);
            Assert.Equal((uint)GoAwayCode.ProtocolError, goAway.Header.Length);
            Assert.Equal(0u, goAway.Header.StreamId);
            var after = await peer.ReadToEndAsync(ct);
            Assert.DoesNotContain(after, f => f.Header.Type == FrameType.Data);

            var info = await session.Completion.WaitAsync(ct);
            Assert.Equal(MuxCloseReason.ProtocolError, info.Reason);
            Assert.Contains(problem, info.Message, StringComparison.Ordinal);
            var cause = Assert.IsType<MuxProtocolException>(info.Exception);
            Assert.Equal(GoAwayCode.ProtocolError, cause.Code);
            var accept = await Assert.ThrowsAsync<MuxException>(async () => await session.AcceptStreamAsync(ct));
            Assert.Equal(MuxError.SessionClosed, accept.Error);
            Assert.Equal(0, session.StreamCount);
        }

        await session.DisposeAsync();
        watch.AssertNone();
    }

    [Fact]
    public async Task Late_frames_for_ended_streams_are_ignored()
    {
        var ct = TestData.Timeout(15);
        var (peer, session) = await RawPeer.ConnectAsync(TransportKind.InMemoryPipe, sessionIsServer: true);
        await using var _ = session;
        await using (peer)
        {
            // Stream 1 ends the orderly way: both FINs.
            await peer.SendAsync(RawPeer.Window(1, FrameFlags.Syn | FrameFlags.Fin));
            var closed = await session.AcceptStreamAsync(ct);
            Assert.Empty(await TestData.ReadToEndAsync(closed, ct));
            closed.CompleteWrites();
            await peer.ExpectAsync(f => f.Header.StreamId == 1 && f.Has(FrameFlags.Fin), "our FIN on stream 1", ct);

            // Stream 3 ends because this side resets it.
            await peer.SendAsync(RawPeer.Window(3, FrameFlags.Syn));
            var aborted = await session.AcceptStreamAsync(ct);
            aborted.Abort();
            await peer.ExpectAsync(f => f.Header.StreamId == 3 && f.Has(FrameFlags.Rst), "our RST on stream 3", ct);
            Assert.Equal(0, session.StreamCount);

            // Everything a slow peer might still have in flight for them.
            await peer.SendAsync(
                RawPeer.Window(1, FrameFlags.None, 65536),
                RawPeer.Data(1, new byte[100]),
                RawPeer.Window(1, FrameFlags.Fin),
                RawPeer.Window(1, FrameFlags.Rst),
                RawPeer.Data(3, new byte[1000]),
                RawPeer.Window(3, FrameFlags.Ack, 4096),
                RawPeer.Data(3, [], FrameFlags.Fin),
                RawPeer.Ping(FrameFlags.Syn, 77));

            // The ping answer comes after every frame before it was handled.
            await peer.ExpectAsync(f => f.Header.Type == FrameType.Ping && f.Has(FrameFlags.Ack) && f.Header.Length == 77, "the ping answer", ct);
            Assert.False(session.IsClosed);
            Assert.Equal(0, session.StreamCount);
        }
    }

    [Fact]
    public async Task Syn_beyond_the_accept_backlog_is_refused_with_reset()
    {
        var ct = TestData.Timeout(15);
        var (peer, session) = await RawPeer.ConnectAsync(TransportKind.LoopbackTcp, sessionIsServer: true, new MuxOptions { AcceptBacklog = 2 });
        await using var _ = session;
        await using (peer)
        {
            await peer.SendAsync(RawPeer.Window(1, FrameFlags.Syn), RawPeer.Window(3, FrameFlags.Syn), RawPeer.Window(5, FrameFlags.Syn), RawPeer.Data(5, "lost"u8));

            var reset = await peer.ExpectAsync(f => f.Has(FrameFlags.Rst), "a RST", ct);
            Assert.Equal(5u, reset.Header.StreamId);
            Assert.Equal(1u, (await session.AcceptStreamAsync(ct)).Id);
            Assert.Equal(3u, (await session.AcceptStreamAsync(ct)).Id);

            // Accepting freed the backlog: the next SYN is welcome.
            await peer.SendAsync(RawPeer.Window(7, FrameFlags.Syn));
            Assert.Equal(7u, (await session.AcceptStreamAsync(ct)).Id);
            Assert.False(session.IsClosed);
        }
    }

    [Fact]
    public async Task Ping_flood_from_a_peer_that_never_reads_ends_the_session_with_InternalError()
    {
        var ct = TestData.Timeout(20);
        var (toSession, fromSession, session) = FloodRig();
        var peer = RawPeer.Over(new DuplexPipe(fromSession.Reader, toSession.Writer));

        var batches = 0;
        while (!session.Completion.IsCompleted && await peer.SendAsync(PingBatch))
        {
            ct.ThrowIfCancellationRequested();
            Assert.True(++batches < 100_000, "the session took an endless flood without ending");
        }

        var info = await session.Completion.WaitAsync(ct);
        Assert.Equal(MuxCloseReason.InternalError, info.Reason);
        Assert.Contains("control frames", info.Message, StringComparison.Ordinal);
        // What the session wrote before giving up is bounded by the transport's buffer and one
        // flush batch, not by the length of the flood.
        Assert.True(fromSession.Reader.TryRead(out var unread));
        Assert.InRange(unread.Buffer.Length, 0, 512 * 1024);
        fromSession.Reader.AdvanceTo(unread.Buffer.End);
        await peer.DisposeAsync();
    }

    [Fact]
    public async Task Pings_from_a_peer_that_reads_the_answers_never_trip_the_bound()
    {
        var ct = TestData.Timeout(20);
        var (toSession, fromSession, session) = FloodRig();
        var peer = RawPeer.Over(new DuplexPipe(fromSession.Reader, toSession.Writer));
        peer.StartReading();

        // The same pings as the flood, but the peer keeps at most two batches unanswered.
        const int Batches = 300;
        var answered = 0;
        for (var i = 0; i < Batches; i++)
        {
            Assert.True(await peer.SendAsync(PingBatch));
            while (answered < (i - 1) * PingsPerBatch)
            {
                _ = await peer.ExpectAsync(f => f.Header.Type == FrameType.Ping && f.Has(FrameFlags.Ack), "a ping answer", ct);
                answered++;
            }
        }

        Assert.False(session.IsClosed);
        await session.DisposeAsync();
        await peer.DisposeAsync();
    }

    private const int PingsPerBatch = 64;

    private static readonly byte[] PingBatch = [.. Enumerable.Range(0, PingsPerBatch).SelectMany(i => RawPeer.Ping(FrameFlags.Syn, (uint)i))];

    /// <summary>A session with a small bound on queued control frames, behind pipes the test drives by hand.</summary>
    private static (Pipe ToSession, Pipe FromSession, MuxSession Session) FloodRig()
    {
        var toSession = new Pipe(new PipeOptions(pauseWriterThreshold: 4096, resumeWriterThreshold: 2048, useSynchronizationContext: false));
        var fromSession = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
        var session = MuxSession.Server(new DuplexPipe(toSession.Reader, fromSession.Writer), new MuxOptions { MaxQueuedControlFrames = 1024 });
        return (toSession, fromSession, session);
    }

    /// <summary>What the peer sends for each violation, and the words the close message must contain.</summary>
    private static (byte[][] Bytes, string Problem) Provoke(Violation violation)
    {
        var syn1 = RawPeer.Window(1, FrameFlags.Syn);
        return violation switch
        {
            Violation.BadVersion => ([RawPeer.Header(FrameType.WindowUpdate, FrameFlags.Syn, 1, 0, version: 1)], "unsupported yamux version 1"),
            Violation.UnknownType => ([RawPeer.Header(FrameType.WindowUpdate, FrameFlags.None, 0, 0, rawType: 4)], "unknown frame type 4"),
            // Only the header and the start of the payload: the session must judge the frame by its
            // header, and the peer must not leave unread bytes behind (closing over them sends a TCP RST).
            Violation.DataBeyondWindow => ([syn1, RawPeer.Header(FrameType.Data, FrameFlags.None, 1, 300 * 1024), new byte[1024]], "exceed the receive window"),
            Violation.DataForNeverOpenedStream => ([RawPeer.Data(5, new byte[10])], "never opened"),
            Violation.WindowUpdateForNeverOpenedStream => ([syn1, RawPeer.Window(9, FrameFlags.None, 10)], "never opened"),
            Violation.OversizedDataLength => ([syn1, RawPeer.Header(FrameType.Data, FrameFlags.None, 1, (uint)MuxOptions.Default.MaxFrameSizeRead + 1)], "exceeds the maximum"),
            Violation.DuplicateSyn => ([syn1, RawPeer.Window(1, FrameFlags.Syn)], "duplicate SYN"),
            Violation.SynWithWrongParity => ([RawPeer.Window(2, FrameFlags.Syn)], "only this side may open"),
            Violation.WindowUpdateOnStreamZero => ([RawPeer.Window(0, FrameFlags.None, 100)], "stream 0"),
            Violation.PingOnStream => ([syn1, RawPeer.Ping(FrameFlags.Syn, 1, streamId: 1)], "belongs on stream 0"),
            Violation.GoAwayOnStream => ([syn1, RawPeer.GoAway(GoAwayCode.Normal, streamId: 1)], "belongs on stream 0"),
            Violation.WindowOverflow => ([syn1, RawPeer.Window(1, FrameFlags.None, uint.MaxValue)], "overflow the send window"),
            _ => throw new ArgumentOutOfRangeException(nameof(violation)),
        };
    }
}

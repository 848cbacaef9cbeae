using System.Diagnostics;
using Burrow.Mux.Errors;
using Burrow.Mux.Frames;
using Burrow.Mux.Sessions;
using Burrow.Mux.Tests.Hostile;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Sessions;

/// <summary><see cref="MuxSession.CloseAsync"/>: queued data and FINs leave, Go Away goes last, and the whole close is bounded.</summary>
public sealed class GracefulCloseTests
{
    public static IEnumerable<TheoryDataRow<TransportKind>> RawKinds() =>
        [new(TransportKind.InMemoryPipe), new(TransportKind.LoopbackTcp)];

    [Theory]
    [MemberData(nameof(RawKinds))]
    public async Task CloseAsync_QueuedDataAndFins_LeaveBeforeGoAwayWhichIsTheLastFrame(TransportKind kind)
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawPeer.ConnectAsync(kind, sessionIsServer: true);
        await using var _ = session;
        await using (peer)
        {
            // Within the initial window, so the raw peer need not grant more; two streams, so one
            // carries bulk data and the other a final message, as the edge's control stream does.
            var bulk = TestData.Random(200 * 1024, seed: 7);
            var notice = "the edge closed this session"u8.ToArray();
            var bulkStream = await session.OpenStreamAsync(ct);
            var noticeStream = await session.OpenStreamAsync(ct);
            var bulkWrite = bulkStream.WriteAsync(bulk, ct);
            var noticeWrite = noticeStream.WriteAsync(notice, ct);
            noticeStream.CompleteWrites();

            var close = session.CloseAsync(GoAwayCode.ProtocolError, TimeSpan.FromSeconds(20), ct);
            var beforeGoAway = new List<RawFrame>();
            while (await peer.NextFrameAsync(ct) is { } frame && frame.Header.Type != FrameType.GoAway)
            {
                beforeGoAway.Add(frame);
            }

            await peer.CloseOutputAsync(); // the peer is done too: the close need not wait longer
            var afterGoAway = await peer.ReadToEndAsync(ct);

            Assert.True(await close, "everything queued left before Go Away");
            Assert.Empty(afterGoAway);
            await bulkWrite;
            await noticeWrite;
            Assert.Equal(MuxCloseReason.LocalClose, (await session.Completion).Reason);

            // Every byte of both streams and the notice stream's FIN came before Go Away.
            Assert.Equal(TestData.Hash(bulk), TestData.Hash(Payload(beforeGoAway, bulkStream.Id)));
            Assert.Equal(notice, Payload(beforeGoAway, noticeStream.Id));
            Assert.Contains(beforeGoAway, f => f.Header.StreamId == noticeStream.Id && f.Has(FrameFlags.Fin));
        }
    }

    [Theory]
    [MemberData(nameof(SessionPair.AllKinds), MemberType = typeof(SessionPair))]
    public async Task CloseAsync_PeerSeesGoAwayCodeAndFinalMessage_AndCloseEndsWhenPeerCloses(TransportKind kind)
    {
        var ct = TestData.Timeout();
        await using var pair = await SessionPair.CreateAsync(kind);
        var control = await pair.Client.OpenStreamAsync(ct);
        await control.WriteAsync("auth"u8.ToArray(), ct);
        var accepted = await pair.Server.AcceptStreamAsync(ct);
        var auth = new byte[4];
        await accepted.ReadExactlyAsync(auth, ct);

        await accepted.WriteAsync("refused: bad token"u8.ToArray(), ct);
        accepted.CompleteWrites();
        var started = Stopwatch.GetTimestamp();
        var close = pair.Server.CloseAsync(GoAwayCode.ProtocolError, TimeSpan.FromSeconds(20), ct);

        // The message and its FIN arrived before Go Away, so it reads whole although the session then ended.
        Assert.Equal("refused: bad token"u8.ToArray(), await TestData.ReadToEndAsync(control, ct));
        var info = await pair.Client.Completion.WaitAsync(ct);
        Assert.Equal(MuxCloseReason.RemoteGoAway, info.Reason);
        Assert.Contains("Go Away 1", info.Message, StringComparison.Ordinal);

        // The client ended its side on that Go Away, which ends the server's wait well before the timeout.
        Assert.True(await close);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10), $"took {Stopwatch.GetElapsedTime(started)}");
        Assert.Equal(MuxCloseReason.LocalClose, (await pair.Server.Completion).Reason);
    }

    [Theory]
    [MemberData(nameof(SessionPair.AllKinds), MemberType = typeof(SessionPair))]
    public async Task CloseAsync_Normal_PeerKeepsReadingItsStreamsUntilItCloses(TransportKind kind)
    {
        var ct = TestData.Timeout();
        await using var pair = await SessionPair.CreateAsync(kind);
        var download = await pair.Server.OpenStreamAsync(ct);
        var payload = TestData.Random(1024 * 1024, seed: 11);
        // Four times the initial window: most of it can only leave as the client reads and grants window.
        var write = download.WriteAsync(payload, ct);
        download.CompleteWrites();
        var close = pair.Server.CloseAsync(GoAwayCode.Normal, TimeSpan.FromSeconds(20), ct);

        var received = await pair.Client.AcceptStreamAsync(ct);
        var copy = await TestData.ReadToEndAsync(received, ct);
        Assert.Equal(TestData.Hash(payload), TestData.Hash(copy));
        await write;
        Assert.False(close.IsCompleted, "a normal Go Away leaves the peer's session up, so the close waits for it");

        // A normal Go Away does not end the client's session; its own close ends the server's wait.
        await pair.Client.DisposeAsync();
        Assert.True(await close);
    }

    [Fact]
    public async Task CloseAsync_RefusesNewStreamsAndWrites_WhileQueuedDataLeaves()
    {
        var ct = TestData.Timeout();
        await using var pair = await SessionPair.CreateAsync(TransportKind.LoopbackTcp);
        var stream = await pair.Server.OpenStreamAsync(ct);
        // Parked: twice the window the client never grants, since nobody reads the client's end.
        var parked = stream.WriteAsync(TestData.Random(512 * 1024, seed: 3), ct);
        var close = pair.Server.CloseAsync(GoAwayCode.Normal, TimeSpan.FromSeconds(2), ct);

        var write = await Assert.ThrowsAsync<MuxStreamException>(async () => await stream.WriteAsync("more"u8.ToArray(), ct));
        Assert.Equal(MuxError.SessionClosing, write.Error);
        var open = await Assert.ThrowsAsync<MuxException>(async () => await pair.Server.OpenStreamAsync(ct));
        Assert.Equal(MuxError.LocalGoingAway, open.Error);

        Assert.False(await close, "the parked write could not leave within the timeout");
        await Assert.ThrowsAsync<MuxStreamException>(async () => await parked);
    }

    [Fact]
    public async Task CloseAsync_PeerStopsReading_EndsWithinTheTimeout()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawPeer.ConnectAsync(TransportKind.LoopbackTcp, sessionIsServer: true, startReading: false);
        await using var _ = session;
        await using (peer)
        {
            // 64 streams of a full window each, 16 MiB: more than loopback's socket buffers hold, so
            // the session's writer is stuck in a send when the close starts.
            var writes = new List<Task>();
            for (var i = 0; i < 64; i++)
            {
                var stream = await session.OpenStreamAsync(ct);
                writes.Add(stream.WriteAsync(TestData.Random(MuxOptions.InitialStreamWindow, seed: i), ct).AsTask());
            }

            var timeout = TimeSpan.FromSeconds(1);
            var started = Stopwatch.GetTimestamp();
            Assert.False(await session.CloseAsync(GoAwayCode.Normal, timeout, ct));
            var elapsed = Stopwatch.GetElapsedTime(started);
            Assert.True(elapsed < timeout + TimeSpan.FromSeconds(3), $"the close took {elapsed}");
            Assert.Equal(MuxCloseReason.LocalClose, (await session.Completion).Reason);
            var failed = 0;
            foreach (var write in writes)
            {
                try
                {
                    await write;
                }
                catch (MuxStreamException)
                {
                    failed++;
                }
            }

            Assert.True(failed > 0, "writes that could not leave fail rather than hang");
        }
    }

    private static byte[] Payload(List<RawFrame> frames, uint streamId) =>
        [.. frames.Where(f => f.Header.StreamId == streamId && f.Header.Type == FrameType.Data).SelectMany(f => f.Payload)];
}

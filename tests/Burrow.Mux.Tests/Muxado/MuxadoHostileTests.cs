using System.Text;
using Burrow.Mux.Muxado;
using Burrow.Mux.Tests.Hostile;

namespace Burrow.Mux.Tests.Muxado;

/// <summary>
/// A peer that breaks the protocol: session-level violations get GOAWAY with muxado's code as the
/// last frame and a closed transport; stream-level ones get RST and the session goes on. Every
/// case ends within the test's bound, with no exception escaping the session.
/// </summary>
public sealed class MuxadoHostileTests
{
    public enum Violation
    {
        HttpRequestInsteadOfMuxado,
        UnknownFrameType,
        OversizedFrameLength,
        RstOfWrongLength,
        WndIncOfWrongLength,
        GoAwayTooShort,
        GoAwayOnAStream,
        DataOnStreamZero,
        SynWithTheServersParity,
        SynForAnOpenStream,
        ZeroWindowIncrement,
    }

    public static TheoryData<Violation> Violations() => [.. Enum.GetValues<Violation>()];

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task Violation_ends_the_session_with_GOAWAY_carrying_muxados_code_as_the_last_frame(Violation violation)
    {
        using var watch = new UnobservedExceptionWatch();
        var ct = TestData.Timeout(15);
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using (peer)
        {
            await peer.SendAsync(RawMuxadoPeer.Data(3, "legit", RawMuxadoFrame.Syn));
            var (bytes, expected) = Provoke(violation);
            await peer.SendAsync(bytes);

            var frames = await peer.ReadToEndAsync(ct);
            var goAway = Assert.Single(frames, f => f.Type == RawMuxadoFrame.GoAway);
            Assert.Same(goAway, frames[^1]);
            Assert.Equal((uint)expected, goAway.GoAwayCode);
            Assert.Equal(3u, goAway.First); // the last stream the session processed
            Assert.False(string.IsNullOrEmpty(goAway.GoAwayDebug));
            Assert.Equal(0, peer.Leftover);

            var info = await session.Completion.WaitAsync(ct);
            Assert.Equal(expected, info.LocalGoAwayCode);
            Assert.NotNull(info.Exception);
            var accepted = await session.AcceptStreamAsync(ct).AsTask().ContinueWith(t => t.Exception?.InnerException, ct);
            Assert.True(accepted is null or MuxadoException); // the legit stream may or may not have been taken first
        }

        watch.AssertNone();
    }

    private static (byte[] Bytes, MuxadoErrorCode Expected) Provoke(Violation violation) => violation switch
    {
        // Its first word read as a header declares a 4.6 MB frame.
        Violation.HttpRequestInsteadOfMuxado => ("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), MuxadoErrorCode.FrameSizeError),
        Violation.UnknownFrameType => (RawMuxadoPeer.Header(5, 0, 3, 0), MuxadoErrorCode.ProtocolError),
        Violation.OversizedFrameLength => (RawMuxadoPeer.Header(RawMuxadoFrame.Data, 0, 3, 2 * 1024 * 1024), MuxadoErrorCode.FrameSizeError),
        Violation.RstOfWrongLength => ([.. RawMuxadoPeer.Header(RawMuxadoFrame.Rst, 0, 3, 3), 0, 0, 4], MuxadoErrorCode.FrameSizeError),
        Violation.WndIncOfWrongLength => ([.. RawMuxadoPeer.Header(RawMuxadoFrame.WndInc, 0, 3, 8), .. new byte[8]], MuxadoErrorCode.FrameSizeError),
        Violation.GoAwayTooShort => ([.. RawMuxadoPeer.Header(RawMuxadoFrame.GoAway, 0, 0, 4), .. new byte[4]], MuxadoErrorCode.FrameSizeError),
        Violation.GoAwayOnAStream => (RawMuxadoPeer.GoAway(0, MuxadoErrorCode.NoError, streamId: 3), MuxadoErrorCode.ProtocolError),
        Violation.DataOnStreamZero => (RawMuxadoPeer.Data(0, "x"), MuxadoErrorCode.ProtocolError),
        Violation.SynWithTheServersParity => (RawMuxadoPeer.Data(4, "x", RawMuxadoFrame.Syn), MuxadoErrorCode.ProtocolError),
        Violation.SynForAnOpenStream => (RawMuxadoPeer.Data(3, "again", RawMuxadoFrame.Syn), MuxadoErrorCode.ProtocolError),
        Violation.ZeroWindowIncrement => (RawMuxadoPeer.WndInc(3, 0), MuxadoErrorCode.ProtocolError),
        _ => throw new ArgumentOutOfRangeException(nameof(violation)),
    };

    [Fact]
    public async Task Data_beyond_the_window_resets_that_stream_with_FlowControlError_only()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = session;
        await using var __ = peer;

        // A whole window, then one byte more, before any WNDINC could have been sent.
        await peer.SendAsync(
            RawMuxadoPeer.Data(3, new byte[MuxadoOptions.Window], RawMuxadoFrame.Syn),
            RawMuxadoPeer.Data(3, "!"));

        var reset = await peer.ExpectAsync(f => f.Type == RawMuxadoFrame.Rst, "RST", ct);
        Assert.Equal((3u, (uint)MuxadoErrorCode.FlowControlError), (reset.StreamId, reset.First));
        var stream = await session.AcceptStreamAsync(ct);
        var error = await Assert.ThrowsAsync<MuxadoException>(async () => await TestData.ReadToEndAsync(stream, ct));
        Assert.Equal((MuxadoErrorCode.FlowControlError, false), (error.Code, error.IsRemote));

        await peer.SendAsync(RawMuxadoPeer.Data(5, "still here", RawMuxadoFrame.Syn | RawMuxadoFrame.Fin));
        var next = await session.AcceptStreamAsync(ct);
        Assert.Equal("still here", Encoding.ASCII.GetString(await TestData.ReadToEndAsync(next, ct)));
    }

    [Fact]
    public async Task Window_increments_that_overflow_reset_the_stream_with_FlowControlError()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = session;
        await using var __ = peer;
        var stream = await session.OpenStreamAsync(ct);
        await stream.WriteAsync("announce"u8.ToArray(), ct);
        await peer.ExpectAsync(f => f.IsData, "the SYN", ct);

        await peer.SendAsync(RawMuxadoPeer.WndInc(2, 0x7FFF_FFFF));

        var reset = await peer.ExpectAsync(f => f.Type == RawMuxadoFrame.Rst, "RST", ct);
        Assert.Equal((2u, (uint)MuxadoErrorCode.FlowControlError), (reset.StreamId, reset.First));
        var error = await Assert.ThrowsAsync<MuxadoException>(async () => await stream.WriteAsync(new byte[1], ct));
        Assert.Equal(MuxadoErrorCode.FlowControlError, error.Code);
        Assert.False(session.IsClosed);
    }

    [Fact]
    public async Task Data_after_the_peers_FIN_resets_the_stream_with_StreamClosed()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync();
        await using var _ = session;
        await using var __ = peer;

        await peer.SendAsync(RawMuxadoPeer.Data(3, "done", RawMuxadoFrame.Syn | RawMuxadoFrame.Fin), RawMuxadoPeer.Data(3, "not done"));

        var reset = await peer.ExpectAsync(f => f.Type == RawMuxadoFrame.Rst, "RST", ct);
        Assert.Equal((3u, (uint)MuxadoErrorCode.StreamClosed), (reset.StreamId, reset.First));
        Assert.False(session.IsClosed);
    }

    [Fact]
    public async Task SYNs_beyond_the_accept_backlog_get_RST_AcceptQueueFull()
    {
        var ct = TestData.Timeout();
        var (peer, session) = await RawMuxadoPeer.ConnectAsync(options: new MuxadoOptions { AcceptBacklog = 2 });
        await using var _ = session;
        await using var __ = peer;

        await peer.SendAsync(
            RawMuxadoPeer.Data(3, "a", RawMuxadoFrame.Syn),
            RawMuxadoPeer.Data(5, "b", RawMuxadoFrame.Syn),
            RawMuxadoPeer.Data(7, "c", RawMuxadoFrame.Syn));

        var reset = await peer.ExpectAsync(f => f.Type == RawMuxadoFrame.Rst, "RST", ct);
        Assert.Equal((7u, (uint)MuxadoErrorCode.AcceptQueueFull), (reset.StreamId, reset.First));
        Assert.Equal(3u, (await session.AcceptStreamAsync(ct)).Id);
        await peer.SendAsync(RawMuxadoPeer.Data(9, "d", RawMuxadoFrame.Syn)); // a slot is free again
        Assert.Equal(5u, (await session.AcceptStreamAsync(ct)).Id);
        Assert.Equal(9u, (await session.AcceptStreamAsync(ct)).Id);
    }

    [Theory]
    [InlineData(MuxadoTransport.InMemoryPipe)]
    [InlineData(MuxadoTransport.LoopbackTcp)]
    public async Task Random_bytes_end_or_leave_the_session_cleanly_and_in_bounded_time(MuxadoTransport transport)
    {
        using var watch = new UnobservedExceptionWatch();
        for (var seed = 0; seed < 40; seed++)
        {
            var ct = TestData.Timeout(15);
            var random = new Random(seed);
            var (peer, session) = await RawMuxadoPeer.ConnectAsync(transport);
            await using (peer)
            {
                // Mostly plausible frames (so the reader gets past the first header), some garbage.
                for (var i = 0; i < 30; i++)
                {
                    await peer.SendAsync(RandomFrame(random));
                }

                var accepting = Task.Run(async () =>
                {
                    try
                    {
                        while (true)
                        {
                            var stream = await session.AcceptStreamAsync(ct);
                            _ = stream.ReadAsync(new byte[100], ct).AsTask().ContinueWith(t => t.Exception, ct);
                        }
                    }
                    catch (MuxadoException)
                    {
                        // the session ended: expected
                    }
                }, ct);
                await peer.CloseOutputAsync();

                var info = await session.Completion.WaitAsync(ct);
                Assert.NotNull(info.Reason);
                await accepting.WaitAsync(ct);
                await peer.ReadToEndAsync(ct);
            }
        }

        watch.AssertNone();
    }

    private static byte[] RandomFrame(Random random)
    {
        if (random.Next(10) == 0)
        {
            var garbage = new byte[random.Next(1, 16)];
            random.NextBytes(garbage);
            return garbage;
        }

        var type = random.Next(10) == 0 ? random.Next(16) : random.Next(4);
        var flags = random.Next(4);
        var streamId = (uint)random.Next(0, 12);
        var length = type switch
        {
            RawMuxadoFrame.Rst or RawMuxadoFrame.WndInc => random.Next(8) == 0 ? random.Next(0, 9) : 4,
            RawMuxadoFrame.GoAway => random.Next(0, 20),
            _ => random.Next(0, 3000),
        };
        var payload = new byte[length];
        random.NextBytes(payload);
        return [.. RawMuxadoPeer.Header(type, flags, streamId, length), .. payload];
    }
}

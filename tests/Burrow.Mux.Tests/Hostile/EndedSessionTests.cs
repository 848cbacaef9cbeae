using System.Runtime.CompilerServices;
using Burrow.Mux.Errors;
using Burrow.Mux.Frames;
using Burrow.Mux.Sessions;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Hostile;

/// <summary>Once a session has ended, nothing the peer still sends brings it back, and nothing it leaves behind faults unobserved.</summary>
public sealed class EndedSessionTests
{
    [Fact]
    public async Task Frames_behind_a_fatal_GoAway_are_not_dispatched()
    {
        var ct = TestData.Timeout(15);
        var (peer, session) = await RawPeer.ConnectAsync(TransportKind.InMemoryPipe, sessionIsServer: true);
        await using var _ = session;
        await using (peer)
        {
            // One write, so the session reads all three frames in one buffer: the SYN must not
            // open a stream in a session that the Go Away just ended.
            await peer.SendAsync(RawPeer.GoAway(GoAwayCode.InternalError), RawPeer.Window(1, FrameFlags.Syn), RawPeer.Data(1, "late"u8));

            var info = await session.Completion.WaitAsync(ct);
            Assert.Equal(MuxCloseReason.RemoteGoAway, info.Reason);
            Assert.Equal(0, session.StreamCount);
            var accept = await Assert.ThrowsAsync<MuxException>(async () => await session.AcceptStreamAsync(ct));
            Assert.Equal(MuxError.SessionClosed, accept.Error);
        }
    }

    [Fact]
    public async Task Session_end_leaves_no_unobserved_task_exceptions()
    {
        using var watch = new UnobservedExceptionWatch();
        var info = await EndWithAPendingPingAndUnwatchedStreamsAsync(TestData.Timeout(15));
        Assert.Equal(MuxCloseReason.TransportClosed, info.Reason);

        // Nothing references the session or its streams any more: the GC finalizes their tasks now.
        watch.AssertNone();
    }

    /// <summary>
    /// A peer opens two streams and never answers the session's first ping, then hangs up. The
    /// streams' ReadsClosed/WritesClosed and the ping fail, and nobody looks at them. Kept out of
    /// line so no local of the test keeps them reachable.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<MuxCloseInfo> EndWithAPendingPingAndUnwatchedStreamsAsync(CancellationToken ct)
    {
        var (peer, session) = await RawPeer.ConnectAsync(TransportKind.InMemoryPipe, sessionIsServer: true);
        await using (peer)
        {
            await peer.ExpectAsync(f => f.Header.Type == FrameType.Ping && f.Has(FrameFlags.Syn), "the first ping", ct);
            await peer.SendAsync(RawPeer.Window(1, FrameFlags.Syn), RawPeer.Window(3, FrameFlags.Syn), RawPeer.Data(3, "x"u8));
            await session.AcceptStreamAsync(ct);
            await session.AcceptStreamAsync(ct);
            await peer.CloseOutputAsync();
            return await session.Completion.WaitAsync(ct);
        }
    }
}

using Burrow.Mux.Frames;
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
}

using Burrow.Mux.Errors;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Streams;

/// <summary>
/// What the edge's HTTP pool relies on when an upstream closes a pooled connection: a stream the peer closed reads
/// as a clean end of stream even if a reset follows (SocketsHttpHandler retries a request without a body only on a
/// clean end, never on an error).
/// </summary>
public sealed class RemoteFinTests
{
    [Theory]
    [MemberData(nameof(SessionPair.AllKinds), MemberType = typeof(SessionPair))]
    public async Task Reset_after_fin_still_reads_as_a_clean_end_of_stream(TransportKind kind)
    {
        await using var pair = await SessionPair.CreateAsync(kind);
        var ct = TestData.Timeout();
        var stream = await pair.Client.OpenStreamAsync(ct);
        await stream.WriteAsync(new byte[3], ct);
        var accepted = await pair.Server.AcceptStreamAsync(ct);

        await accepted.WriteAsync(new byte[] { 7, 8 }, ct);
        accepted.CompleteWrites();
        // Once the FIN is out, the reset follows it on the same connection and arrives after it
        // (an abort before that would drop the queued FIN).
        await accepted.WritesClosed.WaitAsync(ct);
        accepted.Abort();
        await Assert.ThrowsAnyAsync<MuxException>(() => stream.WritesClosed.WaitAsync(ct));

        var buffer = new byte[10];
        Assert.Equal(2, await stream.ReadAsync(buffer, ct));
        Assert.Equal(0, await stream.ReadAsync(buffer, ct));
    }
}

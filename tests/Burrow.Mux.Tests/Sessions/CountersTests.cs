using Burrow.Mux.Sessions;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Sessions;

/// <summary>The totals metrics read: streams opened on both sides, and a writer that ran out of window.</summary>
public sealed class CountersTests
{
    [Theory]
    [MemberData(nameof(SessionPair.AllKinds), MemberType = typeof(SessionPair))]
    public async Task Streams_opened_and_window_stalls_are_counted_where_they_happen(TransportKind kind)
    {
        var clientCounters = new MuxCounters();
        var serverCounters = new MuxCounters();
        await using var pair = await SessionPair.CreateAsync(kind, new MuxOptions { Counters = clientCounters }, new MuxOptions { Counters = serverCounters });
        var ct = TestData.Timeout();

        var quiet = await pair.Client.OpenStreamAsync(ct);
        await quiet.WriteAsync(new byte[10], ct);
        var quietAccepted = await pair.Server.AcceptStreamAsync(ct);
        var buffer = new byte[10];
        await quietAccepted.ReadExactlyAsync(buffer, ct);
        Assert.Equal(0, clientCounters.WindowStalls);

        // More than the 256 KiB window, to a reader that has not read yet: the writer parks until it does.
        var bulk = await pair.Client.OpenStreamAsync(ct);
        var payload = new byte[(MuxOptions.InitialStreamWindow * 2) + 1000];
        Task write = bulk.WriteAsync(payload, ct).AsTask();
        var bulkAccepted = await pair.Server.AcceptStreamAsync(ct);
        // Nothing is read until the writer has run out of window (bounded: the test's timeout).
        while (clientCounters.WindowStalls == 0)
        {
            await Task.Delay(5, ct);
        }

        var received = new byte[payload.Length];
        await bulkAccepted.ReadExactlyAsync(received, ct);
        await write.WaitAsync(ct);

        Assert.Equal(2, clientCounters.StreamsOpened);
        Assert.Equal(2, serverCounters.StreamsOpened);
        Assert.Equal(0, serverCounters.WindowStalls);
    }
}

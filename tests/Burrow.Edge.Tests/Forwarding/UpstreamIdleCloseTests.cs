using Burrow.Edge.Forwarding;
using Burrow.Edge.Routing;
using Burrow.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Burrow.Edge.Tests.Forwarding;

public sealed class UpstreamIdleCloseTests
{
    [Fact]
    public void End_of_stream_right_after_a_response_is_not_taken_for_an_idle_timeout()
    {
        var idleClose = new UpstreamIdleClose();
        idleClose.ObserveClose(TimeSpan.FromMilliseconds(10));

        Assert.False(idleClose.TooLateToReuse(TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Stream_idle_for_three_quarters_of_the_shortest_close_seen_is_too_late_to_reuse()
    {
        var idleClose = new UpstreamIdleClose();
        idleClose.ObserveClose(TimeSpan.FromSeconds(5));
        idleClose.ObserveClose(TimeSpan.FromMilliseconds(400));
        idleClose.ObserveClose(TimeSpan.FromSeconds(2));

        Assert.False(idleClose.TooLateToReuse(TimeSpan.FromMilliseconds(299)));
        Assert.True(idleClose.TooLateToReuse(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Proxy_stream_learns_the_idle_close_and_reports_end_of_stream_before_reuse_when_too_late()
    {
        var time = new FakeTimeProvider();
        var idleClose = new UpstreamIdleClose();
        byte[] result = ControlMessageSerializer.SerializeToFrame(new ProxyResultMessage()).ToArray();

        // One proxy stream sees its upstream close after 400 ms of quiet.
        await using (var first = new ProxyStream(new MemoryStream([.. result, 1, 2, 3]), () => { }, new TrafficCounters(), idleClose, time))
        {
            var buffer = new byte[3];
            Assert.Equal(3, await first.ReadAsync(buffer, TestContext.Current.CancellationToken));
            time.Advance(TimeSpan.FromMilliseconds(400));
            Assert.Equal(0, await first.ReadAsync(buffer, TestContext.Current.CancellationToken));
        }

        // Another, with bytes still to come, is not handed out again once idle for 300 ms.
        await using var second = new ProxyStream(new MemoryStream([.. result, 1, 2, 3, 4, 5, 6, 7, 8, 9]), () => { }, new TrafficCounters(), idleClose, time);
        var chunk = new byte[3];
        Assert.Equal(3, await second.ReadAsync(chunk, TestContext.Current.CancellationToken));
        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(3, await second.ReadAsync(chunk, TestContext.Current.CancellationToken));
        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, await second.ReadAsync(chunk, TestContext.Current.CancellationToken));
    }
}

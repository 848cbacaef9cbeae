using Burrow.Edge.Routing;

namespace Burrow.Edge.Tests.Routing;

public sealed class TrafficCountersTests
{
    [Fact]
    public void A_tunnels_counts_add_to_its_session_and_the_session_keeps_them_after_the_tunnel()
    {
        var session = new TrafficCounters();
        var first = new TrafficCounters(session);
        var second = new TrafficCounters(session);

        first.AddRequest();
        first.AddConnection();
        first.AddBytesIn(100);
        first.AddBytesOut(1_000);
        second.AddRequest();
        second.AddBytesIn(5);

        Assert.Equal((1, 1, 100, 1_000), (first.Requests, first.Connections, first.BytesIn, first.BytesOut));
        Assert.Equal((1, 0, 5, 0), (second.Requests, second.Connections, second.BytesIn, second.BytesOut));
        Assert.Equal((2, 1, 105, 1_000), (session.Requests, session.Connections, session.BytesIn, session.BytesOut));
    }

    [Fact]
    public async Task Concurrent_adds_lose_nothing()
    {
        var session = new TrafficCounters();
        var tunnel = new TrafficCounters(session);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                tunnel.AddBytesOut(3);
                tunnel.AddRequest();
            }
        })));

        Assert.Equal(240_000, tunnel.BytesOut);
        Assert.Equal(80_000, session.Requests);
    }
}

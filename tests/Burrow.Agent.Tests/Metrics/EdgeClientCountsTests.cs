using Burrow.Agent.Metrics;
using Burrow.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;

namespace Burrow.Agent.Tests.Metrics;

public sealed class EdgeClientCountsTests
{
    [Fact]
    public void Cumulative_reports_add_only_their_difference()
    {
        var time = new FakeTimeProvider();
        var connections = new ConnectionMetrics(time);
        var requests = new ConnectionMetrics(time);
        var counts = new EdgeClientCounts();

        counts.Apply(new TunnelStatsMessage { TunnelId = "tun_1", ConnsOpened = 6, Requests = 10, RequestDurationsUs = [5_000, 5_000] }, connections, requests);
        counts.Apply(new TunnelStatsMessage { TunnelId = "tun_1", ConnsOpened = 6, ConnsClosed = 4, Requests = 30, ConnDurationsUs = [100_000, 200_000, 300_000, 400_000] }, connections, requests);

        Assert.Equal(6, connections.Snapshot().Count);
        Assert.Equal(2, connections.Snapshot().Gauge);
        Assert.Equal(TimeSpan.FromMilliseconds(250), connections.Snapshot().P50);
        Assert.Equal(30, requests.Snapshot().Count);
        Assert.Equal(0, requests.Snapshot().Gauge);
        Assert.Equal(TimeSpan.FromMilliseconds(5), requests.Snapshot().P50);
    }

    [Fact]
    public void Repeated_report_changes_nothing()
    {
        var connections = new ConnectionMetrics(new FakeTimeProvider());
        var requests = new ConnectionMetrics(new FakeTimeProvider());
        var counts = new EdgeClientCounts();
        var report = new TunnelStatsMessage { TunnelId = "tun_1", ConnsOpened = 3, ConnsClosed = 1, Requests = 9 };

        counts.Apply(report, connections, requests);
        counts.Apply(report, connections, requests);

        Assert.Equal((3, 2), (connections.Snapshot().Count, connections.Snapshot().Gauge));
        Assert.Equal(9, requests.Snapshot().Count);
    }

    [Fact]
    public void New_tunnel_id_starts_from_zero_and_closes_what_the_old_one_left_open()
    {
        var connections = new ConnectionMetrics(new FakeTimeProvider());
        var requests = new ConnectionMetrics(new FakeTimeProvider());
        var counts = new EdgeClientCounts();

        counts.Apply(new TunnelStatsMessage { TunnelId = "tun_1", ConnsOpened = 5, ConnsClosed = 2, Requests = 8 }, connections, requests);
        counts.Apply(new TunnelStatsMessage { TunnelId = "tun_2", ConnsOpened = 1, Requests = 1 }, connections, requests);

        Assert.Equal(6, connections.Snapshot().Count);
        Assert.Equal(1, connections.Snapshot().Gauge);
        Assert.Equal(9, requests.Snapshot().Count);
    }
}

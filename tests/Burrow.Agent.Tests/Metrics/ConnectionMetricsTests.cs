using Burrow.Agent.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Burrow.Agent.Tests.Metrics;

public sealed class ConnectionMetricsTests
{
    [Fact]
    public void Count_and_gauge_follow_opens_and_closes()
    {
        var metrics = new ConnectionMetrics(new FakeTimeProvider());
        metrics.Opened();
        metrics.Opened();
        metrics.Opened();
        metrics.Closed(TimeSpan.FromMilliseconds(10));

        MetricsSnapshot snapshot = metrics.Snapshot();
        Assert.Equal(3, snapshot.Count);
        Assert.Equal(2, snapshot.Gauge);
    }

    [Fact]
    public void Percentiles_come_from_the_sampled_durations()
    {
        var metrics = new ConnectionMetrics(new FakeTimeProvider());
        for (int ms = 1; ms <= 100; ms++)
        {
            metrics.Completed(TimeSpan.FromMilliseconds(ms));
        }

        MetricsSnapshot snapshot = metrics.Snapshot();
        Assert.Equal(100, snapshot.Count);
        Assert.Equal(0, snapshot.Gauge);
        Assert.InRange(snapshot.P50.TotalMilliseconds, 49, 52);
        Assert.InRange(snapshot.P90.TotalMilliseconds, 89, 92);
        Assert.InRange(snapshot.P99.TotalMilliseconds, 98, 100);
    }

    [Fact]
    public void Percentiles_cover_only_the_most_recent_sample()
    {
        var metrics = new ConnectionMetrics(new FakeTimeProvider());
        for (int i = 0; i < ConnectionMetrics.SampleSize; i++)
        {
            metrics.Completed(TimeSpan.FromSeconds(10));
        }

        for (int i = 0; i < ConnectionMetrics.SampleSize; i++)
        {
            metrics.Completed(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(1), metrics.Snapshot().P99);
    }

    [Fact]
    public void Rates_start_at_the_first_tick_and_decay_when_idle()
    {
        var time = new FakeTimeProvider();
        var metrics = new ConnectionMetrics(time);
        for (int i = 0; i < 50; i++)
        {
            metrics.Completed(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(0, metrics.Snapshot().Rate1);
        time.Advance(TimeSpan.FromSeconds(5));
        MetricsSnapshot first = metrics.Snapshot();
        Assert.Equal(10, first.Rate1, 6);
        Assert.Equal(10, first.Rate15, 6);

        time.Advance(TimeSpan.FromMinutes(1));
        MetricsSnapshot later = metrics.Snapshot();
        // One minute idle: the 1-minute rate keeps about 1/e of its value, the 15-minute rate nearly all of it.
        Assert.InRange(later.Rate1, 10 / Math.E - 0.2, 10 / Math.E + 0.2);
        Assert.InRange(later.Rate15, 9, 10);
    }
}

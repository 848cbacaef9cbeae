using Burrow.Edge.Stats;

namespace Burrow.Edge.Tests.Stats;

public sealed class DurationSampleTests
{
    [Fact]
    public void Take_returns_microseconds_added_since_the_last_take_in_order()
    {
        var sample = new DurationSample();
        sample.Add(TimeSpan.FromMilliseconds(3));
        sample.Add(TimeSpan.FromTicks(4));
        sample.Add(TimeSpan.FromSeconds(2));

        Assert.Equal([3_000L, 0L, 2_000_000L], sample.Take());
        Assert.Empty(sample.Take());
        sample.Add(TimeSpan.FromMilliseconds(7));
        Assert.Equal([7_000L], sample.Take());
    }

    [Fact]
    public void More_than_capacity_between_takes_keeps_the_newest()
    {
        var sample = new DurationSample();
        for (int i = 0; i < DurationSample.Capacity * 3 + 5; i++)
        {
            sample.Add(TimeSpan.FromMicroseconds(i));
        }

        long[] taken = sample.Take();

        Assert.Equal(DurationSample.Capacity, taken.Length);
        Assert.Equal((DurationSample.Capacity * 3) + 4, taken[^1]);
        Assert.Equal((DurationSample.Capacity * 2) + 5, taken[0]);
        Assert.Empty(sample.Take());
    }

    [Fact]
    public async Task Concurrent_writers_lose_nothing_within_capacity()
    {
        var sample = new DurationSample();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < DurationSample.Capacity / 4; i++)
            {
                sample.Add(TimeSpan.FromMicroseconds(1 + w));
            }
        })));

        long[] taken = sample.Take();

        Assert.Equal(DurationSample.Capacity, taken.Length);
        Assert.Equal(DurationSample.Capacity / 4, taken.Count(v => v == 4));
    }
}

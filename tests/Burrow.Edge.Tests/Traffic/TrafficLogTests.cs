using Burrow.Edge.Traffic;

namespace Burrow.Edge.Tests.Traffic;

public sealed class TrafficLogTests
{
    private static TrafficEntry Entry(int n) => new(DateTimeOffset.UnixEpoch.AddSeconds(n), "GET", "/" + n, 200, 1, "127.0.0.1", 0, n, null);

    [Fact]
    public void The_ring_keeps_the_newest_entries_newest_first()
    {
        var log = new TrafficLog(3);
        for (int i = 1; i <= 5; i++)
        {
            log.Add(Entry(i));
        }

        Assert.Equal(["/5", "/4", "/3"], log.Recent(10).Select(e => e.Path));
        Assert.Equal(["/5", "/4"], log.Recent(2).Select(e => e.Path));
        Assert.Equal(5, log.Total);
    }

    [Fact]
    public void A_zero_capacity_log_keeps_nothing()
    {
        var log = new TrafficLog(0);
        log.Add(Entry(1));

        Assert.False(log.Enabled);
        Assert.Empty(log.Recent(10));
    }

    [Fact]
    public async Task Following_gives_the_backlog_oldest_first_then_new_entries_and_ends_when_the_log_closes()
    {
        var log = new TrafficLog(10);
        log.Add(Entry(1));
        log.Add(Entry(2));
        log.Add(Entry(3));
        var seen = new List<string>();
        var reading = Task.Run(async () =>
        {
            await foreach (TrafficEntry entry in log.FollowAsync(2, TestContext.Current.CancellationToken))
            {
                lock (seen)
                {
                    seen.Add(entry.Path);
                }

                if (entry.Path == "/3")
                {
                    log.Add(Entry(4));
                }
                else if (entry.Path == "/4")
                {
                    log.Close();
                }
            }
        }, TestContext.Current.CancellationToken);

        await reading.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(["/2", "/3", "/4"], seen);
    }

    [Fact]
    public async Task A_reader_that_falls_behind_loses_its_oldest_entries_not_the_writer_its_pace()
    {
        var log = new TrafficLog(5);
        await using IAsyncEnumerator<TrafficEntry> reader = log.FollowAsync(0, TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        ValueTask<bool> first = reader.MoveNextAsync();
        log.Add(Entry(0));
        Assert.True(await first);
        for (int i = 1; i <= TrafficLog.ReaderQueueLength + 10; i++)
        {
            log.Add(Entry(i));
        }

        Assert.True(await reader.MoveNextAsync());
        Assert.Equal("/11", reader.Current.Path);
        Assert.Equal(["/1034", "/1033", "/1032", "/1031", "/1030"], log.Recent(5).Select(e => e.Path));
    }
}

using Burrow.Edge.Tcp;
using Microsoft.Extensions.Time.Testing;

namespace Burrow.Edge.Tests.Tcp;

public sealed class IdleWatchTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Fires_once_after_the_timeout_of_silence()
    {
        var time = new FakeTimeProvider();
        int fired = 0;
        using IdleWatch? watch = IdleWatch.Start(time, Timeout, () => fired++);

        time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, fired);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, fired);
        time.Advance(Timeout * 5);
        Assert.Equal(1, fired);
    }

    [Fact]
    public void Activity_pushes_the_deadline_back_to_a_full_timeout_after_the_last_touch()
    {
        var time = new FakeTimeProvider();
        int fired = 0;
        using IdleWatch watch = IdleWatch.Start(time, Timeout, () => fired++)!;

        for (int i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromSeconds(6));
            watch.Touch();
        }

        Assert.Equal(0, fired);
        time.Advance(Timeout - TimeSpan.FromSeconds(1));
        Assert.Equal(0, fired);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, fired);
    }

    [Fact]
    public void Disposed_watch_never_fires()
    {
        var time = new FakeTimeProvider();
        int fired = 0;
        IdleWatch watch = IdleWatch.Start(time, Timeout, () => fired++)!;

        watch.Dispose();
        time.Advance(Timeout * 2);

        Assert.Equal(0, fired);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    public void No_timeout_means_no_watch(int? seconds)
    {
        TimeSpan? timeout = seconds is { } s ? TimeSpan.FromSeconds(s) : null;

        Assert.Null(IdleWatch.Start(new FakeTimeProvider(), timeout, () => { }));
    }
}

using Burrow.Agent.Session;

namespace Burrow.Agent.Tests.Session;

public sealed class BackoffTests
{
    [Fact]
    public void Delays_grow_exponentially_with_jitter_up_to_the_cap_and_reset()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));
        var delays = Enumerable.Range(0, 12).Select(_ => backoff.Next()).ToList();

        Assert.InRange(delays[0].TotalMilliseconds, 250, 500);
        Assert.InRange(delays[3].TotalMilliseconds, 2000, 4000);
        Assert.All(delays, d => Assert.InRange(d.TotalSeconds, 0.25, 30));
        Assert.InRange(delays[^1].TotalSeconds, 15, 30);

        backoff.Reset();
        Assert.InRange(backoff.Next().TotalMilliseconds, 250, 500);
    }
}

using Burrow.Edge.Limits;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Burrow.Edge.Tests.Limits;

/// <summary>The sliding windows behind rate-limit and the authentication limiter, on a fake clock.</summary>
public sealed class SlidingWindowCountsTests
{
    private static readonly WindowShape TenSeconds = WindowShape.For(TimeSpan.FromSeconds(10));

    // On a segment boundary, so "one segment later" means what it says.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    private SlidingWindowCounts NewCounts(int maxBuckets = 1000) => new(_time, NullLogger<SlidingWindowCounts>.Instance, maxBuckets);

    [Fact]
    public void A_window_takes_up_to_its_limit_and_says_when_the_oldest_count_slides_out()
    {
        using SlidingWindowCounts counts = NewCounts();
        Assert.True(counts.TryTake("k", null, 3, TenSeconds, out _));
        _time.Advance(TimeSpan.FromSeconds(2.5));
        Assert.True(counts.TryTake("k", null, 3, TenSeconds, out _));
        Assert.True(counts.TryTake("k", null, 3, TenSeconds, out _));

        Assert.False(counts.TryTake("k", null, 3, TenSeconds, out TimeSpan retryAfter));
        // The first count's segment (0-1 s) leaves the window at 10 s; it is now 2.5 s.
        Assert.Equal(TimeSpan.FromSeconds(7.5), retryAfter);
        // Asking without taking says the same, and takes nothing.
        Assert.False(counts.Below("k", 3, TenSeconds, out TimeSpan peeked));
        Assert.Equal(TimeSpan.FromSeconds(7.5), peeked);
        Assert.True(counts.Below("k", 4, TenSeconds, out _));

        _time.Advance(TimeSpan.FromSeconds(7.4));
        Assert.False(counts.TryTake("k", null, 3, TenSeconds, out _));
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(counts.TryTake("k", null, 3, TenSeconds, out _));
        Assert.False(counts.TryTake("k", null, 3, TenSeconds, out _));
    }

    [Fact]
    public void Buckets_count_apart_and_a_key_with_another_window_starts_over()
    {
        using SlidingWindowCounts counts = NewCounts();
        Assert.True(counts.TryTake("a", null, 1, TenSeconds, out _));
        Assert.False(counts.TryTake("a", null, 1, TenSeconds, out _));
        Assert.True(counts.TryTake("b", null, 1, TenSeconds, out _));
        Assert.True(counts.TryTake("a", null, 1, WindowShape.For(TimeSpan.FromSeconds(20)), out _));
    }

    [Fact]
    public void Counts_from_other_nodes_fill_the_window_and_slide_out_with_it()
    {
        using SlidingWindowCounts counts = NewCounts();
        long now = TenSeconds.SegmentAt(_time.GetUtcNow());
        counts.AddRemote(new SharedCount("k", TenSeconds, now, 4));
        Assert.True(counts.TryTake("k", null, 5, TenSeconds, out _));
        Assert.False(counts.TryTake("k", null, 5, TenSeconds, out TimeSpan retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(10), retryAfter);

        // A count already out of the window is ignored; one from a clock ahead of ours counts now.
        counts.AddRemote(new SharedCount("other", TenSeconds, now - 10, 100));
        Assert.True(counts.TryTake("other", null, 1, TenSeconds, out _));
        counts.AddRemote(new SharedCount("ahead", TenSeconds, now + 3, 1));
        Assert.False(counts.Below("ahead", 1, TenSeconds, out _));

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(counts.TryTake("k", null, 5, TenSeconds, out _));
    }

    [Fact]
    public void Only_while_sharing_are_counts_handed_over_once_per_bucket_and_segment()
    {
        using SlidingWindowCounts counts = NewCounts();
        counts.TryTake("before", null, 10, TenSeconds, out _);
        var taken = new List<SharedCount>();
        counts.TakeUnshared(taken, 100);
        Assert.Empty(taken);

        counts.Sharing = true;
        counts.TryTake("k", null, 10, TenSeconds, out _);
        counts.TryTake("k", null, 10, TenSeconds, out _);
        counts.Add("auth", TenSeconds);
        _time.Advance(TimeSpan.FromSeconds(1));
        counts.TryTake("k", null, 10, TenSeconds, out _);
        // A refused request is not counted, so it is not shared either.
        counts.TryTake("full", null, 0, TenSeconds, out _);
        counts.AddRemote(new SharedCount("k", TenSeconds, TenSeconds.SegmentAt(_time.GetUtcNow()), 5));

        counts.TakeUnshared(taken, 100);
        long now = TenSeconds.SegmentAt(_time.GetUtcNow());
        Assert.Equal(
            [new SharedCount("auth", TenSeconds, now - 1, 1), new SharedCount("k", TenSeconds, now - 1, 2), new SharedCount("k", TenSeconds, now, 1)],
            taken.OrderBy(c => c.Key, StringComparer.Ordinal).ThenBy(c => c.Segment));

        taken.Clear();
        counts.TakeUnshared(taken, 100);
        Assert.Empty(taken);
    }

    [Fact]
    public void A_bucket_other_nodes_counted_in_first_takes_the_scope_of_this_node_s_own_count()
    {
        using SlidingWindowCounts counts = NewCounts();
        counts.Sharing = true;
        counts.AddRemote(new SharedCount("k", TenSeconds, TenSeconds.SegmentAt(_time.GetUtcNow()), 1));
        counts.TryTake("k", "tunnel.example", 10, TenSeconds, out _);

        var taken = new List<SharedCount>();
        counts.TakeUnshared(taken, 100);
        Assert.Equal("tunnel.example", Assert.Single(taken).Scope);
    }

    [Fact]
    public void Passed_windows_are_let_go_and_a_full_table_lets_new_keys_through_uncounted()
    {
        using SlidingWindowCounts counts = NewCounts(maxBuckets: 2);
        Assert.True(counts.TryTake("a", null, 1, TenSeconds, out _));
        Assert.True(counts.TryTake("b", null, 1, TenSeconds, out _));
        Assert.True(counts.TryTake("c", null, 1, TenSeconds, out _));
        Assert.True(counts.TryTake("c", null, 1, TenSeconds, out _));
        Assert.Equal(2, counts.Buckets);
        Assert.False(counts.TryTake("a", null, 1, TenSeconds, out _));

        // The sweep timer (every 10 s) lets go of both once their window has passed.
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, counts.Buckets);
        Assert.True(counts.TryTake("c", null, 1, TenSeconds, out _));
        Assert.False(counts.TryTake("c", null, 1, TenSeconds, out _));
    }
}

namespace Burrow.Edge.Limits;

/// <summary>
/// A sliding window: its length and how many segments it slides by. Segments are numbered from the clock's epoch
/// (<see cref="DateTimeOffset.UtcTicks"/> / segment length), so every node of a cluster numbers them alike and can add up
/// each other's counts segment by segment.
/// </summary>
internal readonly record struct WindowShape(TimeSpan Length, int Segments)
{
    /// <summary>The longest window a limit may have (what the wire's u32 of milliseconds carries with room to spare).</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(1);

    /// <summary>Ten segments for a window of a second or more (a burst at a boundary cannot pass twice the limit), else one.</summary>
    public static WindowShape For(TimeSpan length) => new(length, length >= TimeSpan.FromSeconds(1) ? 10 : 1);

    public long SegmentTicks => Length.Ticks / Segments;

    public long SegmentAt(DateTimeOffset time) => time.UtcTicks / SegmentTicks;

    /// <summary>When segment <paramref name="segment"/> has slid out of the window.</summary>
    public DateTimeOffset Expiry(long segment) => new((segment + Segments) * SegmentTicks, TimeSpan.Zero);

    public bool IsValid => Length > TimeSpan.Zero && Length <= Longest && Segments is >= 1 and <= 60 && Length.Ticks % Segments == 0;
}

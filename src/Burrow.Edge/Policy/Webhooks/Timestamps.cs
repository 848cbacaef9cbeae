using System.Globalization;

namespace Burrow.Edge.Policy.Webhooks;

/// <summary>Reads signed Unix timestamps and checks them against the tolerance, in both directions: a timestamp from the future is as suspect as an old one.</summary>
internal static class Timestamps
{
    public static bool TryParse(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value);

    public static bool IsFreshSeconds(long unixSeconds, DateTimeOffset now, TimeSpan tolerance) =>
        unixSeconds is > -MaxSeconds and < MaxSeconds && IsFreshMilliseconds(unixSeconds * 1000, now, tolerance);

    public static bool IsFreshMilliseconds(long unixMilliseconds, DateTimeOffset now, TimeSpan tolerance)
    {
        var nowMilliseconds = now.ToUnixTimeMilliseconds();
        var toleranceMilliseconds = (long)Math.Max(0, Math.Min(tolerance.TotalMilliseconds, MaxSeconds * 1000.0));
        return unixMilliseconds >= nowMilliseconds - toleranceMilliseconds && unixMilliseconds <= nowMilliseconds + toleranceMilliseconds;
    }

    // Far beyond any real timestamp, and small enough that neither * 1000 nor the tolerance sums overflow.
    private const long MaxSeconds = 1L << 40;
}

using System.Globalization;

namespace Burrow.Edge.Policy.Expressions.Runtime;

/// <summary>
/// Timestamps (<see cref="DateTimeOffset"/>) and durations (<see cref="TimeSpan"/>): parsing in CEL's
/// formats (RFC 3339; Go-style <c>1h30m</c>), arithmetic within CEL's range, and the <c>getX()</c> accessors.
/// </summary>
internal static class CelTime
{
    // CEL's timestamp range is years 1 to 9999, which is exactly DateTimeOffset's.
    private static readonly string[] Rfc3339 = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd't'HH:mm:ss.FFFFFFFK"];

    public static DateTimeOffset ParseTimestamp(string text)
    {
        if (!DateTimeOffset.TryParseExact(text, Rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset value)
            || !text.AsSpan().ContainsAny('Z', 'z', '+') && text.LastIndexOf('-') < 10)
        {
            throw new CelEvaluationException($"timestamp: '{Truncate(text)}' is not an RFC 3339 timestamp with a zone");
        }

        return value.ToUniversalTime();
    }

    public static DateTimeOffset FromUnixSeconds(long seconds)
    {
        try
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new CelEvaluationException("timestamp: out of range");
        }
    }

    public static string FormatTimestamp(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture).Replace(".Z", "Z", StringComparison.Ordinal);

    public static string FormatDuration(TimeSpan d) =>
        (d.Ticks / (double)TimeSpan.TicksPerSecond).ToString("0.#######", CultureInfo.InvariantCulture) + "s";

    /// <summary>Go's duration syntax, as CEL uses it: an optional sign, then numbers with units h, m, s, ms, us (µs), ns.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        ReadOnlySpan<char> s = text;
        bool negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.SequenceEqual("0"))
        {
            return TimeSpan.Zero;
        }

        if (s.IsEmpty)
        {
            throw BadDuration(text);
        }

        decimal ticks = 0;
        while (!s.IsEmpty)
        {
            int digits = 0;
            while (digits < s.Length && (char.IsAsciiDigit(s[digits]) || s[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || digits > 30 || !decimal.TryParse(s[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
            {
                throw BadDuration(text);
            }

            s = s[digits..];
            int unitLength = 0;
            while (unitLength < s.Length && !char.IsAsciiDigit(s[unitLength]) && s[unitLength] != '.')
            {
                unitLength++;
            }

            decimal perUnit = s[..unitLength] switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" or "µs" or "μs" => 10m,
                "ns" => 0.01m,
                _ => throw BadDuration(text),
            };
            s = s[unitLength..];
            ticks += number * perUnit;
            if (ticks > MaxDurationTicks)
            {
                throw new CelEvaluationException("duration: out of range");
            }
        }

        long whole = (long)decimal.Truncate(ticks);
        return TimeSpan.FromTicks(negative ? -whole : whole);
    }

    // CEL bounds durations to +-10,000 years, comfortably inside TimeSpan.
    private const long MaxDurationTicks = 315_576_000_000L * TimeSpan.TicksPerSecond;

    private static CelEvaluationException BadDuration(string text) => new($"duration: '{Truncate(text)}' is not a duration such as 1h30m or 2.5s");

    private static string Truncate(string text) => text.Length > 64 ? text[..64] + "..." : text;

    public static DateTimeOffset Shift(DateTimeOffset t, TimeSpan d)
    {
        long ticks = t.UtcTicks + d.Ticks;
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks || (d.Ticks > 0 && ticks < t.UtcTicks) || (d.Ticks < 0 && ticks > t.UtcTicks))
        {
            throw new CelEvaluationException("timestamp: out of range");
        }

        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    public static TimeSpan Between(DateTimeOffset x, DateTimeOffset y) => TimeSpan.FromTicks(x.UtcTicks - y.UtcTicks);

    public static TimeSpan AddDurations(TimeSpan x, TimeSpan y)
    {
        long ticks = x.Ticks + y.Ticks;
        return ((x.Ticks ^ ticks) & (y.Ticks ^ ticks)) < 0 || Math.Abs(ticks) > MaxDurationTicks
            ? throw new CelEvaluationException("duration: out of range")
            : TimeSpan.FromTicks(ticks);
    }

    /// <summary>A timestamp accessor, e.g. <c>getHours</c>, in UTC or the given zone (an IANA name or <c>+05:30</c>).</summary>
    public static long Get(string accessor, DateTimeOffset t, string? zone)
    {
        DateTime local = zone is null ? t.UtcDateTime : InZone(t, zone);
        return accessor switch
        {
            "getFullYear" => local.Year,
            "getMonth" => local.Month - 1,
            "getDayOfYear" => local.DayOfYear - 1,
            "getDayOfMonth" => local.Day - 1,
            "getDate" => local.Day,
            "getDayOfWeek" => (long)local.DayOfWeek,
            "getHours" => local.Hour,
            "getMinutes" => local.Minute,
            "getSeconds" => local.Second,
            "getMilliseconds" => local.Millisecond,
            _ => throw CelErrors.NoOverload(accessor, t),
        };
    }

    /// <summary>A duration accessor: whole hours, minutes or seconds in it, or the milliseconds of its last second.</summary>
    public static long Get(string accessor, TimeSpan d) => accessor switch
    {
        "getHours" => (long)d.TotalHours,
        "getMinutes" => (long)d.TotalMinutes,
        "getSeconds" => (long)d.TotalSeconds,
        "getMilliseconds" => d.Milliseconds,
        _ => throw CelErrors.NoOverload(accessor, d),
    };

    private static DateTime InZone(DateTimeOffset t, string zone)
    {
        if (zone.Length > 0 && zone[0] is '+' or '-' && TimeSpan.TryParseExact(zone.AsSpan(1), @"hh\:mm", CultureInfo.InvariantCulture, out TimeSpan offset))
        {
            long ticks = t.UtcTicks + (zone[0] == '-' ? -offset.Ticks : offset.Ticks);
            return ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks
                ? throw new CelEvaluationException("timestamp: out of range in that zone")
                : new DateTime(ticks, DateTimeKind.Unspecified);
        }

        try
        {
            return TimeZoneInfo.ConvertTime(t, TimeZoneInfo.FindSystemTimeZoneById(zone)).DateTime;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException or System.Security.SecurityException)
        {
            throw new CelEvaluationException($"unknown time zone '{Truncate(zone)}'");
        }
    }
}

using System.Globalization;

namespace Burrow.Edge.Policy.Loading;

/// <summary>Durations in policy configs: Go's spelling (<c>500ms</c>, <c>60s</c>, <c>1m30s</c>, <c>2h</c>), or bare seconds.</summary>
internal static class Durations
{
    private static readonly System.Buffers.SearchValues<char> Number = System.Buffers.SearchValues.Create("0123456789.");

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        ReadOnlySpan<char> rest = text.AsSpan().Trim();
        if (rest.IsEmpty)
        {
            return false;
        }

        if (double.TryParse(rest, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double bare))
        {
            duration = TimeSpan.FromSeconds(bare);
            return true;
        }

        double total = 0;
        while (!rest.IsEmpty)
        {
            int digits = rest.IndexOfAnyExcept(Number);
            if (digits <= 0 || !double.TryParse(rest[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
            {
                return false;
            }

            rest = rest[digits..];
            int unitLength = rest.IndexOfAny(Number);
            ReadOnlySpan<char> unit = unitLength < 0 ? rest : rest[..unitLength];
            rest = unitLength < 0 ? [] : rest[unitLength..];
            double seconds = unit switch
            {
                "ms" => value / 1000,
                "s" => value,
                "m" => value * 60,
                "h" => value * 3600,
                "d" => value * 86400,
                _ => double.NaN,
            };
            if (double.IsNaN(seconds))
            {
                return false;
            }

            total += seconds;
        }

        if (total > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(total);
        return true;
    }

    public static string Format(TimeSpan duration) =>
        duration.TotalMilliseconds < 1000 ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0}ms")
        : duration.TotalSeconds < 120 ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.#}s")
        : duration.TotalMinutes < 120 ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0.#}m")
        : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalHours:0.#}h");
}

using System.Text;

namespace Burrow.Edge.Policy.Expressions.Runtime;

/// <summary>
/// The string functions of CEL and of its strings extension. Sizes and indices count Unicode code
/// points, as CEL specifies; strings without surrogates (nearly all) take the char-indexed fast path.
/// </summary>
internal static class CelStrings
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string DecodeUtf8(byte[] bytes) =>
        TryDecodeUtf8(bytes) ?? throw new CelEvaluationException("string: bytes are not valid UTF-8");

    public static string? TryDecodeUtf8(byte[] bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    public static long CodePoints(string s)
    {
        int surrogates = 0;
        foreach (char c in s)
        {
            if (char.IsLowSurrogate(c))
            {
                surrogates++;
            }
        }

        return s.Length - surrogates;
    }

    private static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    // Code point index -> char index; -1 when the index is past the end.
    private static int CharIndex(string s, long codePoint)
    {
        if (codePoint < 0)
        {
            return -1;
        }

        if (!HasSurrogates(s))
        {
            return codePoint <= s.Length ? (int)codePoint : -1;
        }

        int i = 0;
        for (long n = 0; n < codePoint; n++)
        {
            if (i >= s.Length)
            {
                return -1;
            }

            i += char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
        }

        return i;
    }

    private static long CodePointIndex(string s, int charIndex) =>
        charIndex < 0 || !HasSurrogates(s) ? charIndex : CodePoints(s[..charIndex]);

    public static string LowerAscii(string s)
    {
        int i = s.AsSpan().IndexOfAnyInRange('A', 'Z');
        if (i < 0)
        {
            return s;
        }

        return string.Create(s.Length, s, static (span, source) =>
        {
            for (int k = 0; k < source.Length; k++)
            {
                span[k] = char.IsAsciiLetterUpper(source[k]) ? (char)(source[k] | 0x20) : source[k];
            }
        });
    }

    public static string UpperAscii(string s)
    {
        int i = s.AsSpan().IndexOfAnyInRange('a', 'z');
        if (i < 0)
        {
            return s;
        }

        return string.Create(s.Length, s, static (span, source) =>
        {
            for (int k = 0; k < source.Length; k++)
            {
                span[k] = char.IsAsciiLetterLower(source[k]) ? (char)(source[k] & ~0x20) : source[k];
            }
        });
    }

    public static IReadOnlyList<object?> Split(string s, string separator, long limit)
    {
        if (limit == 0)
        {
            return [];
        }

        if (limit == 1)
        {
            return [s];
        }

        if (separator.Length == 0)
        {
            // An empty separator splits into code points, the way Go's strings.SplitN does.
            var points = new List<object?>();
            var runes = s.EnumerateRunes();
            foreach (Rune rune in runes)
            {
                if (limit > 0 && points.Count == limit - 1)
                {
                    int at = 0;
                    foreach (object? p in points)
                    {
                        at += ((string)p!).Length;
                    }

                    points.Add(s[at..]);
                    return points;
                }

                points.Add(rune.ToString());
            }

            return points;
        }

        var parts = new List<object?>();
        int start = 0;
        while (limit < 0 || parts.Count < limit - 1)
        {
            int found = s.IndexOf(separator, start, StringComparison.Ordinal);
            if (found < 0)
            {
                break;
            }

            parts.Add(s[start..found]);
            start = found + separator.Length;
        }

        parts.Add(s[start..]);
        return parts;
    }

    public static string Join(IReadOnlyList<object?> list, string separator, int maxSize)
    {
        long total = 0;
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is not string item)
            {
                throw new CelEvaluationException($"join: list element {i} is {CelValues.TypeName(list[i])}, not string");
            }

            total += item.Length + (i > 0 ? separator.Length : 0);
            if (total > maxSize)
            {
                throw CelErrors.TooLarge(maxSize);
            }
        }

        var text = new StringBuilder((int)total);
        for (int i = 0; i < list.Count; i++)
        {
            if (i > 0)
            {
                text.Append(separator);
            }

            text.Append((string)list[i]!);
        }

        return text.ToString();
    }

    public static string Replace(string s, string old, string replacement, long limit, int maxSize)
    {
        if (limit == 0 || (old.Length > 0 && !s.Contains(old, StringComparison.Ordinal)))
        {
            return s;
        }

        var text = new StringBuilder();
        int start = 0;
        long count = 0;
        while (limit < 0 || count < limit)
        {
            int found;
            if (old.Length == 0)
            {
                // As Go: an empty pattern matches before every code point and at the end.
                if (start > s.Length)
                {
                    break;
                }

                found = start;
            }
            else
            {
                found = s.IndexOf(old, start, StringComparison.Ordinal);
                if (found < 0)
                {
                    break;
                }
            }

            text.Append(s, start, found - start).Append(replacement);
            count++;
            if (text.Length > maxSize)
            {
                throw CelErrors.TooLarge(maxSize);
            }

            if (old.Length == 0)
            {
                int step = found < s.Length && char.IsHighSurrogate(s[found]) && found + 1 < s.Length ? 2 : 1;
                if (found < s.Length)
                {
                    text.Append(s, found, Math.Min(step, s.Length - found));
                }

                start = found + step;
            }
            else
            {
                start = found + old.Length;
            }
        }

        if (start < s.Length)
        {
            text.Append(s, start, s.Length - start);
        }

        return text.Length > maxSize ? throw CelErrors.TooLarge(maxSize) : text.ToString();
    }

    public static long IndexOf(string s, string value, long offset)
    {
        int from = CharIndex(s, offset);
        if (from < 0)
        {
            throw new CelEvaluationException($"indexOf: index {offset} out of range");
        }

        return CodePointIndex(s, s.IndexOf(value, from, StringComparison.Ordinal));
    }

    public static long LastIndexOf(string s, string value, long? offset)
    {
        int last = s.Length;
        if (offset is { } o)
        {
            int from = CharIndex(s, o);
            if (from < 0 || from >= s.Length && s.Length > 0)
            {
                throw new CelEvaluationException($"lastIndexOf: index {o} out of range");
            }

            last = Math.Min(s.Length, from + value.Length);
        }

        if (value.Length == 0)
        {
            return CodePointIndex(s, Math.Min(last, s.Length));
        }

        return CodePointIndex(s, s.AsSpan(0, last).LastIndexOf(value, StringComparison.Ordinal));
    }

    public static string Substring(string s, long start, long? end)
    {
        int from = CharIndex(s, start);
        int to = end is { } e ? CharIndex(s, e) : s.Length;
        if (from < 0 || to < 0 || to < from)
        {
            throw new CelEvaluationException($"substring: range [{start}, {end?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "end"}) out of range");
        }

        return s[from..to];
    }

    public static string CharAt(string s, long index)
    {
        int at = CharIndex(s, index);
        if (at < 0)
        {
            throw new CelEvaluationException($"charAt: index {index} out of range");
        }

        if (at == s.Length)
        {
            return "";
        }

        return char.IsHighSurrogate(s[at]) && at + 1 < s.Length ? s.Substring(at, 2) : s[at].ToString();
    }
}

using System.Globalization;
using System.Text;

namespace Burrow.Edge.Policy.Expressions.Runtime;

/// <summary>What every operator needs to know about values: their CEL type, equality and ordering.</summary>
internal static class CelValues
{
    public static CelType TypeOf(object? value) => value switch
    {
        null => CelType.Null,
        bool => CelType.Bool,
        long => CelType.Int,
        ulong => CelType.Uint,
        double => CelType.Double,
        string => CelType.String,
        byte[] => CelType.Bytes,
        IReadOnlyList<object?> => CelType.List,
        ICelMap => CelType.Map,
        DateTimeOffset => CelType.Timestamp,
        TimeSpan => CelType.Duration,
        CelType => CelType.Type,
        _ => throw new CelEvaluationException($"unsupported value of CLR type {value.GetType().Name}"),
    };

    public static string TypeName(object? value) => value switch
    {
        null => "null_type",
        bool => "bool",
        long => "int",
        ulong => "uint",
        double => "double",
        string => "string",
        byte[] => "bytes",
        IReadOnlyList<object?> => "list",
        ICelMap => "map",
        DateTimeOffset => "google.protobuf.Timestamp",
        TimeSpan => "google.protobuf.Duration",
        CelType => "type",
        _ => value.GetType().Name,
    };

    /// <summary>CEL equality: numbers compare by value across int, uint and double; lists and maps deeply; other kinds never equal.</summary>
    public static bool Equal(object? a, object? b)
    {
        if (ReferenceEquals(a, b))
        {
            return a is not double d || !double.IsNaN(d);
        }

        switch (a)
        {
            case null:
                return false;
            case string s:
                return b is string t && string.Equals(s, t, StringComparison.Ordinal);
            case bool x:
                return b is bool y && x == y;
            case long or ulong or double:
                return b is long or ulong or double && CompareNumbers(a, b) == 0;
            case byte[] bytes:
                return b is byte[] otherBytes && bytes.AsSpan().SequenceEqual(otherBytes);
            case DateTimeOffset time:
                return b is DateTimeOffset otherTime && time.UtcTicks == otherTime.UtcTicks;
            case TimeSpan span:
                return b is TimeSpan otherSpan && span == otherSpan;
            case IReadOnlyList<object?> list:
                return b is IReadOnlyList<object?> otherList && ListsEqual(list, otherList);
            case ICelMap map:
                return b is ICelMap otherMap && MapsEqual(map, otherMap);
            default:
                return a.Equals(b);
        }
    }

    private static bool ListsEqual(IReadOnlyList<object?> x, IReadOnlyList<object?> y)
    {
        if (x.Count != y.Count)
        {
            return false;
        }

        for (int i = 0; i < x.Count; i++)
        {
            if (!Equal(x[i], y[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool MapsEqual(ICelMap x, ICelMap y)
    {
        if (x.Count != y.Count)
        {
            return false;
        }

        foreach (object key in x.Keys)
        {
            if (!x.TryGetValue(key, out object? left) || !y.TryGetValue(key, out object? right) || !Equal(left, right))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Orders two numbers of any numeric kind by value; null when they are unordered (NaN). Exact for
    /// int against uint and for large integers against doubles, where a plain conversion would round.
    /// </summary>
    public static int? CompareNumbers(object a, object b)
    {
        switch (a, b)
        {
            case (long x, long y): return x.CompareTo(y);
            case (ulong x, ulong y): return x.CompareTo(y);
            case (double x, double y): return double.IsNaN(x) || double.IsNaN(y) ? null : x.CompareTo(y);
            case (long x, ulong y): return x < 0 ? -1 : ((ulong)x).CompareTo(y);
            case (ulong x, long y): return y < 0 ? 1 : x.CompareTo((ulong)y);
            case (long x, double y): return CompareIntDouble(x, y);
            case (double x, long y): return -CompareIntDouble(y, x);
            case (ulong x, double y): return CompareUintDouble(x, y);
            case (double x, ulong y): return -CompareUintDouble(y, x);
            default: return null;
        }
    }

    private static int? CompareIntDouble(long x, double y)
    {
        if (double.IsNaN(y))
        {
            return null;
        }

        // 2^63 as a double: anything at or beyond it is above every long.
        if (y >= 9223372036854775808.0)
        {
            return -1;
        }

        if (y < -9223372036854775808.0)
        {
            return 1;
        }

        double floor = Math.Floor(y);
        long whole = (long)floor;
        int c = x.CompareTo(whole);
        return c != 0 ? c : (floor == y ? 0 : -1);
    }

    private static int? CompareUintDouble(ulong x, double y)
    {
        if (double.IsNaN(y))
        {
            return null;
        }

        if (y < 0)
        {
            return 1;
        }

        if (y >= 18446744073709551616.0)
        {
            return -1;
        }

        double floor = Math.Floor(y);
        ulong whole = (ulong)floor;
        int c = x.CompareTo(whole);
        return c != 0 ? c : (floor == y ? 0 : -1);
    }

    /// <summary>Orders two values for <c>&lt;</c> and friends; null when unordered (NaN); throws for kinds that have no order.</summary>
    public static int? Compare(object? a, object? b, string op)
    {
        switch (a, b)
        {
            case (string x, string y): return string.CompareOrdinal(x, y);
            case (long or ulong or double, long or ulong or double): return CompareNumbers(a, b);
            case (bool x, bool y): return x.CompareTo(y);
            case (byte[] x, byte[] y): return x.AsSpan().SequenceCompareTo(y);
            case (DateTimeOffset x, DateTimeOffset y): return x.UtcTicks.CompareTo(y.UtcTicks);
            case (TimeSpan x, TimeSpan y): return x.CompareTo(y);
            default: throw CelErrors.NoOverload(op, a, b);
        }
    }

    /// <summary>What <c>string(x)</c> returns: defined for scalars only, as in CEL.</summary>
    public static string ConvertToString(object? value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        ulong u => u.ToString(CultureInfo.InvariantCulture),
        double d => FormatDouble(d),
        byte[] bytes => CelStrings.DecodeUtf8(bytes),
        DateTimeOffset t => CelTime.FormatTimestamp(t),
        TimeSpan d => CelTime.FormatDuration(d),
        CelType t => t.Name,
        _ => throw CelErrors.NoOverload("string", value),
    };

    public static string FormatDouble(double d) => d switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(d) => "NaN",
        _ => d.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal),
    };

    /// <summary>
    /// A value as a template renders it: as <c>string()</c> would, and lists and maps as <c>[a, b]</c> and
    /// <c>{k: v}</c>. Stops at <paramref name="limit"/> chars so a huge value cannot blow up a message.
    /// </summary>
    public static string Display(object? value, int limit)
    {
        if (value is string s)
        {
            return s;
        }

        var text = new StringBuilder();
        Append(text, value, limit);
        return text.Length > limit ? text.ToString(0, limit) : text.ToString();
    }

    private static void Append(StringBuilder text, object? value, int limit)
    {
        if (text.Length > limit)
        {
            return;
        }

        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case IReadOnlyList<object?> list:
                text.Append('[');
                for (int i = 0; i < list.Count && text.Length <= limit; i++)
                {
                    if (i > 0)
                    {
                        text.Append(", ");
                    }

                    Append(text, list[i], limit);
                }

                text.Append(']');
                break;
            case ICelMap map:
                text.Append('{');
                bool first = true;
                foreach (object key in map.Keys)
                {
                    if (text.Length > limit)
                    {
                        break;
                    }

                    if (!first)
                    {
                        text.Append(", ");
                    }

                    first = false;
                    Append(text, key, limit);
                    text.Append(": ");
                    map.TryGetValue(key, out object? item);
                    Append(text, item, limit);
                }

                text.Append('}');
                break;
            case byte[] bytes:
                // Bytes that are not text still render, as base64, so a log line can carry them.
                text.Append(CelStrings.TryDecodeUtf8(bytes) ?? Convert.ToBase64String(bytes));
                break;
            default:
                text.Append(ConvertToString(value));
                break;
        }
    }
}

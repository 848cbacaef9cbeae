using System.Globalization;
using System.Text;

namespace Burrow.Edge.Policy.Expressions.Runtime;

/// <summary>The type conversion functions <c>int() uint() double() string() bytes() bool() timestamp() duration()</c>, and host value normalization.</summary>
internal static class CelConversions
{
    public static object ToInt(object? value)
    {
        switch (value)
        {
            case long:
                return value;
            case ulong u:
                return u > long.MaxValue ? throw CelErrors.Overflow("int") : CelBox.Int((long)u);
            case double d:
                // The bounds are exclusive at the top: 2^63 itself does not fit.
                return double.IsNaN(d) || d <= -9223372036854775809.0 || d >= 9223372036854775808.0
                    ? throw CelErrors.Overflow("int")
                    : CelBox.Int((long)d);
            case string s:
                return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)
                    ? CelBox.Int(l)
                    : throw new CelEvaluationException($"int: '{Clip(s)}' is not an integer");
            case DateTimeOffset t:
                return t.ToUnixTimeSeconds();
            default:
                throw CelErrors.NoOverload("int", value);
        }
    }

    public static object ToUint(object? value)
    {
        switch (value)
        {
            case ulong:
                return value;
            case long l:
                return l < 0 ? throw CelErrors.Overflow("uint") : (ulong)l;
            case double d:
                return double.IsNaN(d) || d <= -1.0 || d >= 18446744073709551616.0 ? throw CelErrors.Overflow("uint") : (ulong)d;
            case string s:
                return ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong u)
                    ? u
                    : throw new CelEvaluationException($"uint: '{Clip(s)}' is not an unsigned integer");
            default:
                throw CelErrors.NoOverload("uint", value);
        }
    }

    public static object ToDouble(object? value) => value switch
    {
        double => value,
        long l => (double)l,
        ulong u => (double)u,
        string s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
            ? d
            : s switch
            {
                "NaN" => double.NaN,
                "Infinity" or "+Infinity" or "inf" or "+inf" => double.PositiveInfinity,
                "-Infinity" or "-inf" => double.NegativeInfinity,
                _ => throw new CelEvaluationException($"double: '{Clip(s)}' is not a number"),
            },
        _ => throw CelErrors.NoOverload("double", value),
    };

    public static object ToBool(object? value) => value switch
    {
        bool => value,
        string s => s switch
        {
            "true" or "TRUE" or "True" or "t" or "1" => CelBox.True,
            "false" or "FALSE" or "False" or "f" or "0" => CelBox.False,
            _ => throw new CelEvaluationException($"bool: '{Clip(s)}' is not a boolean"),
        },
        _ => throw CelErrors.NoOverload("bool", value),
    };

    public static object ToBytes(object? value) => value switch
    {
        byte[] => value,
        string s => Encoding.UTF8.GetBytes(s),
        _ => throw CelErrors.NoOverload("bytes", value),
    };

    public static object ToTimestamp(object? value) => value switch
    {
        DateTimeOffset => value,
        string s => CelTime.ParseTimestamp(s),
        long l => CelTime.FromUnixSeconds(l),
        _ => throw CelErrors.NoOverload("timestamp", value),
    };

    public static object ToDuration(object? value) => value switch
    {
        TimeSpan => value,
        string s => CelTime.ParseDuration(s),
        _ => throw CelErrors.NoOverload("duration", value),
    };

    /// <summary>
    /// Host values in the shapes the engine knows: hosts naturally hand over an <see cref="int"/> port or a
    /// <see cref="DateTime"/>, and making each of them convert would only move this switch into every caller.
    /// </summary>
    public static object? Normalize(object? value) => value switch
    {
        null or string or bool or long => value,
        int i => CelBox.Int(i),
        uint u => (ulong)u,
        short s => CelBox.Int(s),
        ushort s => CelBox.Int(s),
        byte b => CelBox.Int(b),
        float f => (double)f,
        char c => c.ToString(),
        DateTime d => new DateTimeOffset(d.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : d),
        _ => value,
    };

    private static string Clip(string s) => s.Length > 64 ? s[..64] + "..." : s;
}

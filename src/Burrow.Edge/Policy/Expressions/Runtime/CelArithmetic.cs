namespace Burrow.Edge.Policy.Expressions.Runtime;

/// <summary>
/// <c>+ - * / %</c> and negation. Integers never wrap (overflow is an error, as CEL requires), doubles
/// follow IEEE 754, and whatever grows (strings, bytes, lists) is held to the produced-size limit.
/// </summary>
internal static class CelArithmetic
{
    public static object Add(object? a, object? b, int maxSize)
    {
        switch (a, b)
        {
            case (long x, long y):
                long sum = x + y;
                // Overflow iff both operands have the same sign and the sum's sign differs.
                return ((x ^ sum) & (y ^ sum)) < 0 ? throw CelErrors.Overflow("+") : CelBox.Int(sum);
            case (ulong x, ulong y):
                return x + y < x ? throw CelErrors.Overflow("+") : x + y;
            case (double x, double y):
                return x + y;
            case (string x, string y):
                return (long)x.Length + y.Length > maxSize ? throw CelErrors.TooLarge(maxSize) : string.Concat(x, y);
            case (byte[] x, byte[] y):
                return (long)x.Length + y.Length > maxSize ? throw CelErrors.TooLarge(maxSize) : (byte[])[.. x, .. y];
            case (IReadOnlyList<object?> x, IReadOnlyList<object?> y):
                return ConcatLists(x, y, maxSize);
            case (DateTimeOffset t, TimeSpan d):
                return CelTime.Shift(t, d);
            case (TimeSpan d, DateTimeOffset t):
                return CelTime.Shift(t, d);
            case (TimeSpan x, TimeSpan y):
                return CelTime.AddDurations(x, y);
            default:
                throw CelErrors.NoOverload("+", a, b);
        }
    }

    private static object ConcatLists(IReadOnlyList<object?> x, IReadOnlyList<object?> y, int maxSize)
    {
        if (x.Count == 0)
        {
            return y;
        }

        if (y.Count == 0)
        {
            return x;
        }

        if ((long)x.Count + y.Count > maxSize)
        {
            throw CelErrors.TooLarge(maxSize);
        }

        var result = new object?[x.Count + y.Count];
        for (int i = 0; i < x.Count; i++)
        {
            result[i] = x[i];
        }

        for (int i = 0; i < y.Count; i++)
        {
            result[x.Count + i] = y[i];
        }

        return result;
    }

    public static object Subtract(object? a, object? b)
    {
        switch (a, b)
        {
            case (long x, long y):
                long difference = x - y;
                return ((x ^ y) & (x ^ difference)) < 0 ? throw CelErrors.Overflow("-") : CelBox.Int(difference);
            case (ulong x, ulong y):
                return y > x ? throw CelErrors.Overflow("-") : x - y;
            case (double x, double y):
                return x - y;
            case (DateTimeOffset t, TimeSpan d):
                return CelTime.Shift(t, d.Negate());
            case (DateTimeOffset x, DateTimeOffset y):
                return CelTime.Between(x, y);
            case (TimeSpan x, TimeSpan y):
                return CelTime.AddDurations(x, y.Negate());
            default:
                throw CelErrors.NoOverload("-", a, b);
        }
    }

    public static object Multiply(object? a, object? b)
    {
        try
        {
            return (a, b) switch
            {
                (long x, long y) => CelBox.Int(checked(x * y)),
                (ulong x, ulong y) => checked(x * y),
                (double x, double y) => x * y,
                _ => throw CelErrors.NoOverload("*", a, b),
            };
        }
        catch (OverflowException)
        {
            throw CelErrors.Overflow("*");
        }
    }

    public static object Divide(object? a, object? b)
    {
        switch (a, b)
        {
            case (long, 0L) or (ulong, 0UL):
                throw new CelEvaluationException("division by zero");
            case (long x, long y):
                return x == long.MinValue && y == -1 ? throw CelErrors.Overflow("/") : CelBox.Int(x / y);
            case (ulong x, ulong y):
                return x / y;
            case (double x, double y):
                return x / y;
            default:
                throw CelErrors.NoOverload("/", a, b);
        }
    }

    public static object Modulo(object? a, object? b)
    {
        switch (a, b)
        {
            case (long, 0L) or (ulong, 0UL):
                throw new CelEvaluationException("modulus by zero");
            case (long x, long y):
                return x == long.MinValue && y == -1 ? throw CelErrors.Overflow("%") : CelBox.Int(x % y);
            case (ulong x, ulong y):
                return x % y;
            default:
                throw CelErrors.NoOverload("%", a, b);
        }
    }

    public static object Negate(object? a) => a switch
    {
        long x => x == long.MinValue ? throw CelErrors.Overflow("-") : CelBox.Int(-x),
        double x => -x,
        TimeSpan x => x == TimeSpan.MinValue ? throw CelErrors.Overflow("-") : x.Negate(),
        _ => throw CelErrors.NoOverload("-", a),
    };
}

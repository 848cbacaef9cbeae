namespace Burrow.Edge.Policy.Expressions.Runtime;

/// <summary>The evaluation errors the runtime raises, worded once.</summary>
internal static class CelErrors
{
    public static CelEvaluationException NoOverload(string op, object? value) =>
        new($"no such overload: {op}({CelValues.TypeName(value)})");

    public static CelEvaluationException NoOverload(string op, object? left, object? right) =>
        new($"no such overload: {CelValues.TypeName(left)} {op} {CelValues.TypeName(right)}");

    public static CelEvaluationException NoSuchKey(object? key) =>
        new($"no such key: {CelValues.Display(key, 64)}");

    public static CelEvaluationException Overflow(string op) => new($"{op}: integer overflow");

    public static CelEvaluationException TooLarge(int limit) =>
        new($"result is larger than the limit of {limit} elements");
}

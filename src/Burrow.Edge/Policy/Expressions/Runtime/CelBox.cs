namespace Burrow.Edge.Policy.Expressions.Runtime;

/// <summary>
/// Boxed values reused across evaluations: values are plain objects, and a boolean or a small int
/// result (a size, an index) would otherwise cost an allocation per request.
/// </summary>
internal static class CelBox
{
    private const long SmallMin = -128;
    private const long SmallMax = 1024;

    private static readonly object[] SmallInts = CreateSmallInts();

    public static object True { get; } = true;

    public static object False { get; } = false;

    public static object Bool(bool value) => value ? True : False;

    public static object Int(long value) =>
        value is >= SmallMin and <= SmallMax ? SmallInts[value - SmallMin] : value;

    private static object[] CreateSmallInts()
    {
        var ints = new object[SmallMax - SmallMin + 1];
        for (long i = SmallMin; i <= SmallMax; i++)
        {
            ints[i - SmallMin] = i;
        }

        return ints;
    }
}

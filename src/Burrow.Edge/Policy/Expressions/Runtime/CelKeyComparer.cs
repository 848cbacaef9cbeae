namespace Burrow.Edge.Policy.Expressions.Runtime;

/// <summary>
/// Map keys compare as CEL values do: <c>1</c>, <c>1u</c> and <c>1.0</c> find the same entry, so numeric
/// keys hash by their value rather than their CLR type.
/// </summary>
internal sealed class CelKeyComparer : IEqualityComparer<object>
{
    public static CelKeyComparer Instance { get; } = new();

    public new bool Equals(object? x, object? y) => CelValues.Equal(x, y);

    public int GetHashCode(object obj) => obj switch
    {
        string s => string.GetHashCode(s, StringComparison.Ordinal),
        long l => l.GetHashCode(),
        ulong u when u <= long.MaxValue => ((long)u).GetHashCode(),
        double d when d >= long.MinValue && d <= long.MaxValue && Math.Floor(d) == d => ((long)d).GetHashCode(),
        _ => obj.GetHashCode(),
    };
}

namespace Burrow.Edge.Policy.Expressions;

/// <summary>
/// A CEL map as the engine reads it. Hosts implement it over whatever they already hold (a header
/// collection, a query string) so that a lookup does not copy the request into a dictionary first.
/// </summary>
public interface ICelMap
{
    /// <summary>The number of entries.</summary>
    int Count { get; }

    /// <summary>The keys: <see cref="string"/>, <see cref="long"/>, <see cref="ulong"/> or <see cref="bool"/>.</summary>
    IEnumerable<object> Keys { get; }

    /// <summary>Looks a key up; numeric keys compare by value across int, uint and double, as CEL does.</summary>
    bool TryGetValue(object key, out object? value);
}

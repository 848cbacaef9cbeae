using Burrow.Edge.Policy.Expressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Burrow.Edge.Policy.Variables;

/// <summary>
/// <c>req.headers</c> and <c>res.headers</c> as ngrok shapes them: lower-case names to lists of values. A view over the
/// live headers, not a copy, so a header an earlier action added is seen by a later rule.
/// </summary>
internal sealed class HeaderMap : ICelMap
{
    private readonly IHeaderDictionary _headers;

    public HeaderMap(IHeaderDictionary headers)
    {
        _headers = headers;
    }

    public int Count => _headers.Count;

    public IEnumerable<object> Keys => _headers.Keys.Select(static k => (object)k.ToLowerInvariant());

    public bool TryGetValue(object key, out object? value)
    {
        if (key is string name && _headers.TryGetValue(name, out StringValues values))
        {
            value = new ValueList(values);
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>The values of a header, or an empty list.</summary>
    public static IReadOnlyList<object?> Values(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out StringValues values) ? new ValueList(values) : ValueList.Empty;
}

/// <summary>A <see cref="StringValues"/> seen as a CEL list of strings, without copying it.</summary>
internal sealed class ValueList : IReadOnlyList<object?>
{
    public static readonly ValueList Empty = new(StringValues.Empty);

    private readonly StringValues _values;

    public ValueList(StringValues values)
    {
        _values = values;
    }

    public int Count => _values.Count;

    public object? this[int index] => _values[index];

    public IEnumerator<object?> GetEnumerator()
    {
        foreach (string? value in _values)
        {
            yield return value;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

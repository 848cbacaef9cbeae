using Burrow.Edge.Policy.Expressions.Runtime;

namespace Burrow.Edge.Policy.Expressions;

/// <summary>The engine's own map: map literals, and what hosts build when they have nothing better to wrap.</summary>
public sealed class CelMap : ICelMap
{
    private readonly Dictionary<object, object?> _entries;

    /// <summary>An empty map.</summary>
    public CelMap()
    {
        _entries = new Dictionary<object, object?>(CelKeyComparer.Instance);
    }

    /// <summary>A map of the given entries; a later duplicate key replaces an earlier one.</summary>
    public CelMap(IEnumerable<KeyValuePair<object, object?>> entries)
        : this()
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (key, value) in entries)
        {
            _entries[key] = value;
        }
    }

    /// <summary>A map with string keys, the shape of headers, query parameters and <c>vars</c>.</summary>
    public CelMap(IEnumerable<KeyValuePair<string, object?>> entries)
        : this()
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (key, value) in entries)
        {
            _entries[key] = value;
        }
    }

    /// <inheritdoc />
    public int Count => _entries.Count;

    /// <inheritdoc />
    public IEnumerable<object> Keys => _entries.Keys;

    /// <inheritdoc />
    public bool TryGetValue(object key, out object? value) => _entries.TryGetValue(key, out value);

    /// <summary>Adds an entry; false when the key is already there (map literals refuse duplicates).</summary>
    internal bool TryAdd(object key, object? value) => _entries.TryAdd(key, value);
}

using Burrow.Edge.Policy.Expressions;

namespace Burrow.Edge.Policy.Variables;

/// <summary>
/// A map the policy writes while rules run (<c>vars.*</c>, <c>actions.ngrok.*</c>): string keys, insertion order kept
/// for logs. Small by nature, so a list beats a hash table.
/// </summary>
internal sealed class ResultMap : ICelMap
{
    private readonly List<KeyValuePair<string, object?>> _entries = [];

    public int Count => _entries.Count;

    public IEnumerable<object> Keys => _entries.Select(static e => (object)e.Key);

    public IEnumerable<KeyValuePair<string, object?>> Entries => _entries;

    public bool TryGetValue(object key, out object? value)
    {
        if (key is string name)
        {
            foreach (KeyValuePair<string, object?> entry in _entries)
            {
                if (entry.Key == name)
                {
                    value = entry.Value;
                    return true;
                }
            }
        }

        value = null;
        return false;
    }

    public object? Get(string key) => TryGetValue(key, out object? value) ? value : null;

    public ResultMap Set(string key, object? value)
    {
        for (int i = 0; i < _entries.Count; i++)
        {
            if (_entries[i].Key == key)
            {
                _entries[i] = new(key, value);
                return this;
            }
        }

        _entries.Add(new(key, value));
        return this;
    }
}

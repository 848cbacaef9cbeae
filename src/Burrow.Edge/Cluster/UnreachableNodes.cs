using System.Collections.Concurrent;

namespace Burrow.Edge.Cluster;

/// <summary>
/// Nodes a link stream could not be opened to a moment ago. A killed node's routes stay in the table until its lease
/// runs out (10 s); while they do, traffic for a name other nodes also hold (legs, pool members) goes to those.
/// A node is avoided for <see cref="AvoidFor"/> after a failure, then tried again (it may have been a passing fault).
/// </summary>
internal sealed class UnreachableNodes(TimeProvider time)
{
    /// <summary>How long a node that could not be reached is passed over when another node holds the same name.</summary>
    public static readonly TimeSpan AvoidFor = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<string, long> _until = new(StringComparer.Ordinal);

    public void Add(string node) => _until[node] = time.GetTimestamp() + (long)(AvoidFor.TotalSeconds * time.TimestampFrequency);

    public bool Contains(string node)
    {
        if (!_until.TryGetValue(node, out long until))
        {
            return false;
        }

        if (time.GetTimestamp() < until)
        {
            return true;
        }

        _until.TryRemove(KeyValuePair.Create(node, until));
        return false;
    }
}

using Burrow.Edge.Cluster;

namespace Burrow.EndToEnd.Tests.Cluster;

/// <summary>
/// Test harness only: a node directory holding a fixed list of nodes, standing in for the node registry (issue 15
/// item 1, built in parallel) until it is merged. <see cref="Remove"/> plays a node whose lease ran out.
/// </summary>
internal sealed class TestNodeDirectory(string localName, Func<IReadOnlyList<ClusterNode>> nodes) : INodeDirectory
{
    private readonly HashSet<string> _gone = new(StringComparer.Ordinal);

    public string LocalName => localName;

    public IReadOnlyList<ClusterNode> LiveNodes
    {
        get
        {
            lock (_gone)
            {
                return [.. nodes().Where(n => !_gone.Contains(n.Name))];
            }
        }
    }

    public event Action? Changed;

    public void Remove(string node)
    {
        lock (_gone)
        {
            _gone.Add(node);
        }

        Changed?.Invoke();
    }
}

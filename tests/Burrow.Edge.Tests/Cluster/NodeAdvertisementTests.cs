using Burrow.Edge.Cluster;
using Burrow.Protocol.Messages;

namespace Burrow.Edge.Tests.Cluster;

public sealed class NodeAdvertisementTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    [Fact]
    public void Without_a_directory_nothing_is_listed()
    {
        Assert.Null(new NodeAdvertisement().Current());
    }

    [Fact]
    public void Lists_live_nodes_not_draining_with_this_node_first_then_the_others_in_turn()
    {
        var advertisement = new NodeAdvertisement
        {
            Directory = new Nodes("edge-b",
            [
                Node("edge-a", draining: false),
                Node("edge-b", draining: false),
                Node("edge-c", draining: true),
                Node("edge-d", draining: false),
            ]),
        };

        IReadOnlyList<EdgeNode> listed = advertisement.Current()!;

        Assert.Equal(["edge-b", "edge-a", "edge-d"], listed.Select(n => n.Name));
        Assert.Equal("edge-b.example.com:4443", listed[0].Addr);
        Assert.Equal(["edge-b", "edge-d", "edge-a"], advertisement.Current()!.Select(n => n.Name));
        Assert.Equal(["edge-b", "edge-a", "edge-d"], advertisement.Current()!.Select(n => n.Name));
    }

    [Fact]
    public void Agents_that_all_dial_one_node_spread_their_second_legs_evenly_over_the_others()
    {
        var advertisement = new NodeAdvertisement
        {
            Directory = new Nodes("edge-1", [.. Enumerable.Range(1, 10).Select(i => Node($"edge-{i}", draining: false))]),
        };

        // The agent's second leg goes to the first node listed after this one (LegPlan).
        var second = Enumerable.Range(0, 900).Select(_ => advertisement.Current()![1].Name).CountBy(n => n).ToDictionary();

        Assert.Equal(9, second.Count);
        Assert.All(second.Values, count => Assert.Equal(100, count));
    }

    private static ClusterNode Node(string name, bool draining) =>
        new(name, $"{name}.example.com:7443", $"{name}.example.com:4443", Now, Now, draining);

    private sealed class Nodes(string localName, IReadOnlyList<ClusterNode> nodes) : INodeDirectory
    {
        public string LocalName => localName;

        public IReadOnlyList<ClusterNode> LiveNodes => nodes;

#pragma warning disable CS0067 // A fixed list never changes.
        public event Action? Changed;
#pragma warning restore CS0067
    }
}

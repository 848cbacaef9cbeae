using Burrow.Agent.Session;
using Burrow.Protocol.Messages;

namespace Burrow.Agent.Tests.Session;

public sealed class LegPlanTests
{
    private static readonly EdgeNode A = new() { Name = "edge-a", Addr = "a.example.com:4443" };
    private static readonly EdgeNode B = new() { Name = "edge-b", Addr = "b.example.com:4443" };
    private static readonly EdgeNode C = new() { Name = "edge-c", Addr = "c.example.com:4443" };

    [Fact]
    public void No_nodes_listed_means_one_leg_and_no_extra()
    {
        Assert.Equal(1, LegPlan.LegCount(null, null));
        Assert.Empty(LegPlan.ExtraLegs(null, "a.example.com:4443", null));
        Assert.Empty(LegPlan.ExtraLegs([A], "a.example.com:4443", 3));
    }

    [Fact]
    public void Default_is_two_legs_when_more_than_one_node_is_offered_the_next_listed_node_after_the_one_it_is_on()
    {
        Assert.Equal(2, LegPlan.LegCount([A, B, C], null));
        Assert.Equal([B], LegPlan.ExtraLegs([A, B, C], "a.example.com:4443", null));
    }

    [Fact]
    public void Legs_one_opens_no_extra_leg()
    {
        Assert.Empty(LegPlan.ExtraLegs([A, B, C], "a.example.com:4443", 1));
    }

    [Fact]
    public void More_legs_than_nodes_opens_one_per_other_node()
    {
        Assert.Equal(3, LegPlan.LegCount([A, B, C], 5));
        Assert.Equal([B, C], LegPlan.ExtraLegs([A, B, C], "a.example.com:4443", 5));
    }

    [Fact]
    public void A_node_at_the_first_legs_address_or_listed_twice_is_skipped()
    {
        // The agent dialled a load balancer that landed on edge-a; edge-b is also listed at the dialled address.
        EdgeNode bAtDialled = B with { Addr = "lb.example.com:4443" };
        Assert.Equal([C], LegPlan.ExtraLegs([A, bAtDialled, C], "LB.example.com:4443", null));
        Assert.Equal([B, C], LegPlan.ExtraLegs([A, B, B, C], "lb.example.com:4443", 3));
    }

    [Fact]
    public void Leg_count_never_exceeds_the_limit()
    {
        EdgeNode[] many = [.. Enumerable.Range(0, 20).Select(i => new EdgeNode { Name = $"n{i}", Addr = $"n{i}:4443" })];
        Assert.Equal(AgentOptions.MaxLegs, LegPlan.LegCount(many, 50));
        Assert.Equal(AgentOptions.MaxLegs - 1, LegPlan.ExtraLegs(many, "n0:4443", 50).Count);
    }
}

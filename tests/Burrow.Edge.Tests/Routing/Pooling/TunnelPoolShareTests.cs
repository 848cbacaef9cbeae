using Burrow.Edge.Routing.Pooling;

namespace Burrow.Edge.Tests.Routing.Pooling;

/// <summary>The per-pool turn a node of a cluster uses to give each member, local or on another node, its share.</summary>
public sealed class TunnelPoolShareTests
{
    [Fact]
    public void NextShare_gives_every_slot_its_turn_so_the_spread_is_even_at_any_count()
    {
        var pool = new TunnelPool("tcp://localhost:20001", pooled: true, accountId: null, PoolBalance.RoundRobin, TimeProvider.System);
        int[] counts = new int[3];
        for (int i = 0; i < 300; i++)
        {
            counts[pool.NextShare(3)]++;
        }

        Assert.Equal([100, 100, 100], counts);

        // The member count may change between turns (a member joins elsewhere): every answer stays a valid slot.
        for (int i = 0; i < 50; i++)
        {
            int slots = (i % 4) + 1;
            Assert.InRange(pool.NextShare(slots), 0, slots - 1);
        }
    }
}

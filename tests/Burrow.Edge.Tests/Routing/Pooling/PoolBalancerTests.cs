using Burrow.Edge.Routing.Pooling;

namespace Burrow.Edge.Tests.Routing.Pooling;

public sealed class PoolBalancerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 4, 0, 0, TimeSpan.Zero);

    private sealed class Member(string name) : IPoolMember
    {
        public string Name { get; } = name;

        public int Load { get; set; }

        public bool Away { get; set; }

        public PoolMemberHealth Health { get; } = new();

        public int Outstanding => Load;

        public bool IsAvailable(DateTimeOffset now) => !Away && !Health.IsOut(now);

        public override string ToString() => Name;
    }

    private static Member[] Three() => [new("a"), new("b"), new("c")];

    private static Dictionary<string, int> Spread(Member[] members, PoolBalance balance, int picks)
    {
        int cursor = 0;
        var counts = new Dictionary<string, int>();
        for (int i = 0; i < picks; i++)
        {
            Member picked = PoolBalancer.Pick(members, balance, ref cursor, Now)!;
            counts[picked.Name] = counts.GetValueOrDefault(picked.Name) + 1;
        }

        return counts;
    }

    [Fact]
    public void RoundRobin_AllAvailable_SpreadsExactlyEvenly()
    {
        Dictionary<string, int> counts = Spread(Three(), PoolBalance.RoundRobin, 300);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 100, ["b"] = 100, ["c"] = 100 }, counts);
    }

    [Fact]
    public void RoundRobin_MemberTakenOut_GetsNothingUntilItsRecheckTime()
    {
        Member[] members = Three();
        Assert.True(members[1].Health.TakeOut(Now, Now.AddSeconds(10)));
        Assert.False(members[1].Health.TakeOut(Now, Now.AddSeconds(10)));

        Dictionary<string, int> counts = Spread(members, PoolBalance.RoundRobin, 300);
        Assert.Equal(0, counts.GetValueOrDefault("b"));
        // The others share its part evenly rather than the next one in line taking it all.
        Assert.InRange(counts["a"], 140, 160);
        Assert.InRange(counts["c"], 140, 160);

        int cursor = 0;
        var later = Enumerable.Range(0, 3).Select(_ => PoolBalancer.Pick(members, PoolBalance.RoundRobin, ref cursor, Now.AddSeconds(11))!.Name);
        Assert.Contains("b", later);
    }

    [Fact]
    public void Pick_AgentAway_IsSkipped_AndEveryMemberOut_StillPicksOne()
    {
        Member[] members = Three();
        members[0].Away = true;
        Assert.DoesNotContain("a", Spread(members, PoolBalance.RoundRobin, 30).Keys);

        members[1].Away = true;
        members[2].Health.TakeOut(Now, Now.AddMinutes(1));
        // Nothing is healthy: a member is still chosen, whose own error the client gets, and whose first success brings it back.
        Assert.Equal(3, Spread(members, PoolBalance.RoundRobin, 30).Count);
    }

    [Fact]
    public void LeastOutstanding_PicksTheLeastBusy_AndTiesRotate()
    {
        Member[] members = Three();
        members[0].Load = 5;
        members[1].Load = 1;
        members[2].Load = 3;
        Assert.Equal(new Dictionary<string, int> { ["b"] = 10 }, Spread(members, PoolBalance.LeastOutstanding, 10));

        members[0].Load = members[1].Load = members[2].Load = 2;
        Assert.Equal(new Dictionary<string, int> { ["a"] = 10, ["b"] = 10, ["c"] = 10 }, Spread(members, PoolBalance.LeastOutstanding, 30));
    }

    [Fact]
    public void Pick_Except_GivesAnotherMember_OrNullForALoneOne()
    {
        Member[] members = Three();
        int cursor = 0;
        for (int i = 0; i < 10; i++)
        {
            Assert.NotSame(members[0], PoolBalancer.Pick(members, PoolBalance.RoundRobin, ref cursor, Now, except: members[0]));
        }

        Assert.Null(PoolBalancer.Pick([members[0]], PoolBalance.RoundRobin, ref cursor, Now, except: members[0]));
        Assert.Null(PoolBalancer.Pick(Array.Empty<Member>(), PoolBalance.RoundRobin, ref cursor, Now));
    }

    [Fact]
    public void Health_CountsOutstandingAndComesBackWhenPutBack()
    {
        var health = new PoolMemberHealth();
        health.Started();
        health.Started();
        health.Ended();
        Assert.Equal(1, health.Outstanding);
        health.TakeOut(Now, Now.AddSeconds(5));
        Assert.Equal(Now.AddSeconds(5), health.OutUntil(Now));
        health.PutBack();
        Assert.Null(health.OutUntil(Now));
    }
}

namespace Burrow.Edge.Routing.Pooling;

/// <summary>
/// Picks the member of a pool that takes the next request or connection. Members that are out (failed upstream, agent
/// away) are skipped; when every member is out, the pick is made among all of them anyway, so a pool whose every
/// upstream failed once still answers with its members' own errors and recovers at the first success, instead of
/// refusing everything until a recheck interval passes.
/// </summary>
internal static class PoolBalancer
{
    /// <summary>
    /// The next member, or <see langword="null"/> when <paramref name="members"/> holds none other than
    /// <paramref name="except"/>. <paramref name="cursor"/> is the pool's round robin position, advanced atomically.
    /// </summary>
    public static T? Pick<T>(IReadOnlyList<T> members, PoolBalance balance, ref int cursor, DateTimeOffset now, T? except = null)
        where T : class, IPoolMember
    {
        int count = members.Count;
        if (count == 0 || (count == 1 && ReferenceEquals(members[0], except)))
        {
            return null;
        }

        if (count == 1)
        {
            return members[0];
        }

        if (balance == PoolBalance.RoundRobin)
        {
            // The cursor moves past members that cannot take the pick, so an out member's share is spread over all the
            // others instead of going to the one after it.
            for (int i = 0; i < count; i++)
            {
                T member = members[(int)((uint)Interlocked.Increment(ref cursor) % (uint)count)];
                if (!ReferenceEquals(member, except) && member.IsAvailable(now))
                {
                    return member;
                }
            }

            return Scan(members, balance, (int)((uint)Interlocked.Increment(ref cursor) % (uint)count), now, except, availableOnly: false);
        }

        int start = (int)((uint)Interlocked.Increment(ref cursor) % (uint)count);
        return Scan(members, balance, start, now, except, availableOnly: true)
            ?? Scan(members, balance, start, now, except, availableOnly: false);
    }

    private static T? Scan<T>(IReadOnlyList<T> members, PoolBalance balance, int start, DateTimeOffset now, T? except, bool availableOnly)
        where T : class, IPoolMember
    {
        T? best = null;
        int bestLoad = int.MaxValue;
        for (int i = 0; i < members.Count; i++)
        {
            T member = members[(start + i) % members.Count];
            if (ReferenceEquals(member, except) || (availableOnly && !member.IsAvailable(now)))
            {
                continue;
            }

            if (balance == PoolBalance.RoundRobin)
            {
                return member;
            }

            int load = member.Outstanding;
            if (load < bestLoad)
            {
                best = member;
                bestLoad = load;
            }
        }

        return best;
    }
}

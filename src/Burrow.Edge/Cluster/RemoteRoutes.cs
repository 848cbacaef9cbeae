using Burrow.Storage.Routes;

namespace Burrow.Edge.Cluster;

/// <summary>Which of a key's remote rows a caller wants: a protocol, pooled members only, nodes not passed over.</summary>
internal readonly record struct RouteFilter(string? Proto = null, bool PooledOnly = false, UnreachableNodes? Avoid = null)
{
    public bool Matches(RouteRow row) =>
        (Proto is null || row.Proto == Proto) && (!PooledOnly || row.Pooled) && (Avoid is null || !Avoid.Contains(row.Node));
}

/// <summary>
/// The rows of one key held by other live nodes, read from one snapshot of the route cache and of the node directory,
/// counted and picked in place. It runs for every request that may hop, so it allocates nothing: no LINQ, no closures,
/// no arrays.
/// </summary>
internal readonly struct RemoteRoutes
{
    private readonly IReadOnlyList<RouteRow> _rows;
    private readonly IReadOnlyList<ClusterNode> _live;
    private readonly string _local;

    public RemoteRoutes(IReadOnlyList<RouteRow> rows, IReadOnlyList<ClusterNode> live, string local)
    {
        _rows = rows;
        _live = live;
        _local = local;
    }

    /// <summary>How many remote rows pass <paramref name="filter"/>.</summary>
    public int Count(in RouteFilter filter)
    {
        int count = 0;
        for (int i = 0; i < _rows.Count; i++)
        {
            if (IsRemoteLive(_rows[i]) && filter.Matches(_rows[i]))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// The <paramref name="index"/>-th remote row that passes <paramref name="filter"/> (0 ≤ index &lt; <see cref="Count"/>),
    /// or <see langword="null"/> when fewer pass now: a filter that avoids nodes may pass fewer a moment after counting.
    /// </summary>
    public RouteRow? At(in RouteFilter filter, int index)
    {
        for (int i = 0; i < _rows.Count; i++)
        {
            if (IsRemoteLive(_rows[i]) && filter.Matches(_rows[i]) && index-- == 0)
            {
                return _rows[i];
            }
        }

        return null;
    }

    /// <summary>A row drawn at random among those that pass <paramref name="filter"/>, or <see langword="null"/>.</summary>
    public RouteRow? Draw(in RouteFilter filter)
    {
        int count = Count(filter);
        // Random rather than a counter: nothing to share between requests.
        return count == 0 ? null : At(filter, Random.Shared.Next(count));
    }

    private bool IsRemoteLive(RouteRow row)
    {
        if (row.Node == _local)
        {
            return false;
        }

        for (int i = 0; i < _live.Count; i++)
        {
            if (_live[i].Name == row.Node)
            {
                return true;
            }
        }

        return false;
    }
}

namespace Burrow.Edge.Routing.Pooling;

/// <summary>What <see cref="TunnelRegistry.TryAdd(Tunnel, out TunnelPool?)"/> made of a tunnel.</summary>
internal enum PoolJoin
{
    /// <summary>It serves the name now: alone, or as one more member of its pool.</summary>
    Added,

    /// <summary>Another tunnel serves the name and neither bound with pooling (ERR_BURROW_2001).</summary>
    Taken,

    /// <summary>One side bound with pooling and the other did not (ERR_BURROW_2022).</summary>
    PoolingMismatch,

    /// <summary>A pool of another account serves the name (ERR_BURROW_2001: pools never cross accounts).</summary>
    OtherAccount,
}

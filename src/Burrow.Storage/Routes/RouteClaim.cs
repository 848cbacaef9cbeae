namespace Burrow.Storage.Routes;

/// <summary>What <see cref="RouteTable.ClaimAsync"/> found.</summary>
public enum RouteClaim
{
    /// <summary>The row is in the table (a new key, a leg of the same agent, or a pooled member).</summary>
    Claimed,

    /// <summary>Another agent holds the key on some node and pooling does not allow a second one; nothing was written.</summary>
    Taken,
}

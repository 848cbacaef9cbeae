namespace Burrow.Edge.Routing.Pooling;

/// <summary>How a pooled URL's traffic is spread across its members (<c>burrow server --pool-balance</c>).</summary>
public enum PoolBalance
{
    /// <summary>Each member in turn: even counts whatever the requests cost.</summary>
    RoundRobin,

    /// <summary>The member with the fewest requests (http) or connections (tcp, tls) in flight; ties go round robin.</summary>
    LeastOutstanding,
}

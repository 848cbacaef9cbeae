namespace Burrow.Storage.Routes;

/// <summary>
/// One row of the cluster's routes table: a node holds a live tunnel for <paramref name="Key"/> (an HTTP or TLS
/// hostname, or a TCP tunnel's <c>tcp://host:port</c> URL).
/// </summary>
/// <param name="Key">The route key: the tunnel's public hostname or TCP URL, lower case.</param>
/// <param name="Node">The node that holds the agent session.</param>
/// <param name="TunnelId">The tunnel on that node.</param>
/// <param name="SessionId">The agent session on that node.</param>
/// <param name="AgentId">Who bound it: two rows of one key with the same agent (and account) are legs of one endpoint.</param>
/// <param name="AccountId">The account of the session's authtoken, when it has one.</param>
/// <param name="AuthtokenId">The session's authtoken, when stored (a token's tunnel quota counts its routes on every node).</param>
/// <param name="Proto"><c>http</c>, <c>tcp</c> or <c>tls</c>.</param>
/// <param name="Pooled">Whether the binder asked for pooling: a key may have rows of several agents only when all did.</param>
/// <param name="BoundAt">When it was bound.</param>
public sealed record RouteRow(
    string Key,
    string Node,
    string TunnelId,
    string SessionId,
    string AgentId,
    string? AccountId,
    string? AuthtokenId,
    string Proto,
    bool Pooled,
    DateTimeOffset BoundAt)
{
    /// <summary>Whether this row and <paramref name="other"/> were bound by the same agent of the same account (legs, not a conflict).</summary>
    public bool SameAgentAs(RouteRow other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return string.Equals(AgentId, other.AgentId, StringComparison.Ordinal)
            && string.Equals(AccountId, other.AccountId, StringComparison.Ordinal);
    }

    /// <summary>Whether a new row may join <paramref name="existing"/> under one key: legs of one agent, or pooled members.</summary>
    public bool MayJoin(IReadOnlyCollection<RouteRow> existing)
    {
        ArgumentNullException.ThrowIfNull(existing);
        return existing.All(SameAgentAs) || (Pooled && existing.All(static r => r.Pooled));
    }
}

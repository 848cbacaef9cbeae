namespace Burrow.Edge.Admin.Models;

/// <summary>A bound tunnel.</summary>
/// <param name="Id">The tunnel id, <c>tun_</c>...</param>
/// <param name="SessionId">The session that serves it.</param>
/// <param name="Name">The agent's name for it.</param>
/// <param name="Proto">http, tcp or tls.</param>
/// <param name="Hostname">Its hostname, or its <c>tcp://</c> URL for a tcp tunnel.</param>
/// <param name="Urls">Its public URLs.</param>
/// <param name="ForwardsTo">What the agent forwards it to, as the agent said.</param>
/// <param name="CreatedAt">When it was bound.</param>
/// <param name="Traffic">Traffic through it.</param>
public sealed record TunnelInfo(
    string Id,
    string SessionId,
    string Name,
    string Proto,
    string Hostname,
    IReadOnlyList<string> Urls,
    string? ForwardsTo,
    DateTimeOffset CreatedAt,
    TrafficInfo Traffic)
{
    /// <summary>Whether it was bound with endpoint pooling: one member of the agents that share <see cref="Hostname"/>.</summary>
    public bool Pooled { get; init; }

    /// <summary>For a pooled member taken out after a failure: when it gets traffic again; otherwise absent.</summary>
    public DateTimeOffset? OutUntil { get; init; }
}

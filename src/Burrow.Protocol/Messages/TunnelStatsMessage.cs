using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Burrow.Protocol.Versioning;

namespace Burrow.Protocol.Messages;

/// <summary>
/// Edge → agent: what the public clients of one http tunnel did, as only the edge sees it. Proxy
/// streams are pooled and reused, so the agent cannot tell clients or requests from them; this is
/// how it counts what a person means. Sent only to agents that announced
/// <see cref="ProtocolFeatures.TunnelStats"/> in <see cref="AuthMessage.Features"/>.
/// </summary>
/// <remarks>
/// The counts are cumulative since the tunnel was bound, so a lost or late message loses nothing
/// but its duration samples; the agent takes differences from the last message of the same tunnel.
/// </remarks>
public sealed record TunnelStatsMessage : ControlMessage
{
    /// <summary>The most durations of each kind one message carries; older ones are dropped (they are a sample).</summary>
    public const int MaxDurations = 128;

    /// <inheritdoc />
    [JsonIgnore]
    public override string Type => MessageTypes.TunnelStats;

    /// <summary>The tunnel, as in <see cref="BindResultMessage.TunnelId"/>.</summary>
    public required string TunnelId { get; init; }

    /// <summary>Client connections that sent at least one request to this tunnel, since it was bound.</summary>
    public long ConnsOpened { get; init; }

    /// <summary>Of those, the ones that have closed.</summary>
    public long ConnsClosed { get; init; }

    /// <summary>Requests forwarded to the agent, since the tunnel was bound.</summary>
    public long Requests { get; init; }

    /// <summary>Lifetimes in microseconds of client connections that closed since the last message (at most <see cref="MaxDurations"/>).</summary>
    [AllowNull]
    public IReadOnlyList<long> ConnDurationsUs { get; init => field = value ?? []; } = [];

    /// <summary>Durations in microseconds of requests that ended since the last message (at most <see cref="MaxDurations"/>).</summary>
    [AllowNull]
    public IReadOnlyList<long> RequestDurationsUs { get; init => field = value ?? []; } = [];
}

using Burrow.Protocol.Messages;

namespace Burrow.Protocol.Versioning;

/// <summary>
/// Names of optional protocol features, announced in <see cref="AuthMessage.Features"/> (what the
/// agent understands) and <see cref="AuthResultMessage.Features"/> (what the edge will do).
/// </summary>
/// <remarks>
/// A feature is how a message type is added without raising <see cref="BurrowProtocol.CurrentVersion"/>:
/// a version 1 peer refuses an unknown <c>type</c> (<c>ERR_BURROW_4003</c>) and an edge refuses a
/// version it does not know, so a new agent announcing a higher version could not talk to an older
/// edge. An unknown field is ignored instead, so an older peer just does not see the feature.
/// </remarks>
public static class ProtocolFeatures
{
    /// <summary>
    /// Agent: it understands <see cref="TunnelStatsMessage"/>. Edge: it sends them for http
    /// tunnels, so the agent counts clients from them instead of from proxy streams.
    /// </summary>
    public const string TunnelStats = "tunnel_stats";

    /// <summary>
    /// Agent: it may bind with <c>mutual_tls_cas</c> or <c>terminate_at: edge</c>. Edge: it enforces them. An older edge ignores
    /// those fields as unknown, which would leave a tunnel open that asked for client certificates; without this feature
    /// the agent does not bind such a tunnel (<c>ERR_BURROW_2020</c>).
    /// </summary>
    public const string EdgeTls = "edge_tls";

    /// <summary>What this build announces.</summary>
    public static IReadOnlyList<string> All { get; } = [TunnelStats, EdgeTls];

    /// <summary>Whether <paramref name="announced"/> names <paramref name="feature"/>.</summary>
    /// <param name="announced">The peer's <c>features</c> list.</param>
    /// <param name="feature">One of the constants above.</param>
    /// <returns><see langword="true"/> when the peer announced it.</returns>
    public static bool Has(IReadOnlyList<string> announced, string feature)
    {
        ArgumentNullException.ThrowIfNull(announced);
        foreach (string name in announced)
        {
            if (string.Equals(name, feature, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

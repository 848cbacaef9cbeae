using Burrow.Agent.Metrics;

namespace Burrow.Agent.Status;

/// <summary>One tunnel as the console and the agent API show it.</summary>
/// <param name="Name">The tunnel's name.</param>
/// <param name="Proto">http, tcp or tls.</param>
/// <param name="PublicUrls">The URLs the edge bound it as; empty until bound.</param>
/// <param name="Upstream">Where traffic goes, as the user wrote it (e.g. <c>http://localhost:8080</c>).</param>
/// <param name="Inspect">Whether requests are recorded for the inspector.</param>
/// <param name="Connections">Public client connections of this tunnel (for http, as the edge reports them; see <c>ActiveTunnel.Connections</c>).</param>
/// <param name="Requests">HTTP requests completed on this tunnel (from the edge when it reports them, else where the inspector sees them).</param>
public sealed record TunnelStatus(
    string Name, string Proto, IReadOnlyList<string> PublicUrls, string Upstream, bool Inspect, MetricsSnapshot Connections, MetricsSnapshot Requests)
{
    /// <summary>Whether it was bound with endpoint pooling: other agents may serve the same URL.</summary>
    public bool Pooling { get; init; }
}

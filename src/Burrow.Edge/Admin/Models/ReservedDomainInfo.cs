namespace Burrow.Edge.Admin.Models;

/// <summary>A hostname reserved for an account.</summary>
/// <param name="Id">Stable id, <c>rd_</c>...</param>
/// <param name="AccountId">The owning account.</param>
/// <param name="Hostname">The full hostname, lowercase.</param>
/// <param name="Description">A note for people.</param>
/// <param name="CreatedAt">When it was reserved.</param>
/// <param name="TrafficPolicy">
/// The operator's traffic policy pinned to the hostname (YAML or JSON, as it was sent), run before the policy of the agent
/// that binds it; <see langword="null"/> for none. Set with <c>PUT /api/v1/reserved_domains/{id}/traffic_policy</c>.
/// </param>
public sealed record ReservedDomainInfo(
    string Id,
    string AccountId,
    string Hostname,
    string? Description,
    DateTimeOffset CreatedAt,
    string? TrafficPolicy);

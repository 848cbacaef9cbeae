namespace Burrow.Edge.Admin.Models;

/// <summary>A TCP port of the edge reserved for an account.</summary>
/// <param name="Id">Stable id, <c>ra_</c>...</param>
/// <param name="AccountId">The owning account.</param>
/// <param name="Port">The public port.</param>
/// <param name="Address">The address agents and clients see, <c>domain:port</c>.</param>
/// <param name="Description">A note for people.</param>
/// <param name="CreatedAt">When it was reserved.</param>
/// <param name="TrafficPolicy">The operator's traffic policy pinned to the port (<c>on_tcp_connect</c> rules run before the agent's); <see langword="null"/> for none.</param>
public sealed record ReservedAddressInfo(
    string Id,
    string AccountId,
    int Port,
    string Address,
    string? Description,
    DateTimeOffset CreatedAt,
    string? TrafficPolicy);

namespace Burrow.Edge.Admin.Models;

/// <summary>A TCP port of the edge reserved for an account.</summary>
/// <param name="Id">Stable id, <c>ra_</c>...</param>
/// <param name="AccountId">The owning account.</param>
/// <param name="Port">The public port.</param>
/// <param name="Address">The address agents and clients see, <c>domain:port</c>.</param>
/// <param name="Description">A note for people.</param>
/// <param name="CreatedAt">When it was reserved.</param>
public sealed record ReservedAddressInfo(
    string Id,
    string AccountId,
    int Port,
    string Address,
    string? Description,
    DateTimeOffset CreatedAt);

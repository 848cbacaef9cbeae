namespace Burrow.Edge.Admin.Models;

/// <summary>Reserves a hostname.</summary>
/// <param name="Hostname">A full hostname, or a bare label meaning that label under the edge's base domain.</param>
/// <param name="AccountId">The owning account; default the API key's account.</param>
/// <param name="Description">A note for people.</param>
public sealed record ReservedDomainRequest(
    string? Hostname,
    string? AccountId,
    string? Description);

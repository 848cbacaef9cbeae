namespace Burrow.Edge.Admin.Models;

/// <summary>Reserves a TCP port.</summary>
/// <param name="Port">The port, 1 to 65535.</param>
/// <param name="AccountId">The owning account; default the API key's account.</param>
/// <param name="Description">A note for people.</param>
public sealed record ReservedAddressRequest(
    int? Port,
    string? AccountId,
    string? Description);

namespace Burrow.Edge.Admin.Models;

/// <summary>Creates an authtoken.</summary>
/// <param name="Name">A name for people, 1 to 200 characters.</param>
/// <param name="AccountId">The owning account; default the API key's account.</param>
/// <param name="ExpiresAt">When it stops working; absent for never.</param>
/// <param name="Scopes">What it may do; absent for everything.</param>
public sealed record AuthtokenRequest(
    string? Name,
    string? AccountId,
    DateTimeOffset? ExpiresAt,
    ScopesInfo? Scopes);

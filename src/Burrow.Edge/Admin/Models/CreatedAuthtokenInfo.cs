namespace Burrow.Edge.Admin.Models;

/// <summary>A new authtoken with its secret, shown this once.</summary>
/// <param name="Authtoken">The stored token.</param>
/// <param name="Token">The secret agents present (<c>brw_</c>...); it is not stored and cannot be shown again.</param>
public sealed record CreatedAuthtokenInfo(
    AuthtokenInfo Authtoken,
    string Token);

namespace Burrow.Edge.Admin.Models;

/// <summary>Creates or renames an account.</summary>
/// <param name="Name">The account's name, 1 to 200 characters, unique.</param>
public sealed record AccountRequest(
    string? Name);

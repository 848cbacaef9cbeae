namespace Burrow.Edge.Admin.Models;

/// <summary>An account.</summary>
/// <param name="Id">Stable id, <c>acc_</c>...</param>
/// <param name="Name">Unique name (case-insensitive).</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record AccountInfo(
    string Id,
    string Name,
    DateTimeOffset CreatedAt);

namespace Burrow.Storage;

/// <summary>An account: owns authtokens, API keys and reservations.</summary>
/// <param name="Id">Stable id, <c>acc_</c> and random characters.</param>
/// <param name="Name">Unique name (case-insensitive), e.g. <c>alice</c>.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record Account(string Id, string Name, DateTimeOffset CreatedAt);

namespace Burrow.Storage;

/// <summary>A TCP port of the edge reserved for an account: only its tokens may bind it.</summary>
/// <param name="Id">Stable id, <c>ra_</c> and random characters.</param>
/// <param name="AccountId">The owning account.</param>
/// <param name="Port">The public port (1 to 65535).</param>
/// <param name="Description">A note for people, or <see langword="null"/>.</param>
/// <param name="CreatedAt">When it was reserved.</param>
/// <param name="TrafficPolicy">The operator's traffic policy pinned to the port (its <c>on_tcp_connect</c> rules run first); <see langword="null"/> for none.</param>
public sealed record ReservedTcpAddress(string Id, string AccountId, int Port, string? Description, DateTimeOffset CreatedAt, string? TrafficPolicy = null);

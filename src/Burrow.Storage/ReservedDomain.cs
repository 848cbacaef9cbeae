namespace Burrow.Storage;

/// <summary>A hostname reserved for an account: only its tokens may bind it.</summary>
/// <param name="Id">Stable id, <c>rd_</c> and random characters.</param>
/// <param name="AccountId">The owning account.</param>
/// <param name="Hostname">The full hostname, lowercase (<c>demo.example.com</c> or a custom <c>app.alice.dev</c>).</param>
/// <param name="Description">A note for people, or <see langword="null"/>.</param>
/// <param name="CreatedAt">When it was reserved.</param>
/// <param name="TrafficPolicy">
/// The operator's traffic policy pinned to the hostname (YAML or JSON text, checked by the edge before it is stored),
/// run before the policy of whichever agent binds it; <see langword="null"/> for none.
/// </param>
public sealed record ReservedDomain(string Id, string AccountId, string Hostname, string? Description, DateTimeOffset CreatedAt, string? TrafficPolicy = null);

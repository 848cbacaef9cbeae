namespace Burrow.Agent.Inspection;

/// <summary>Changes to a captured request before replaying it; a null member keeps the original.</summary>
/// <param name="Method">Another method.</param>
/// <param name="Uri">Another path and query.</param>
/// <param name="Headers">The headers to send instead of the captured ones.</param>
/// <param name="Body">The body to send instead of the captured one.</param>
internal sealed record ReplayEdits(string? Method, string? Uri, IReadOnlyList<KeyValuePair<string, string>>? Headers, byte[]? Body);

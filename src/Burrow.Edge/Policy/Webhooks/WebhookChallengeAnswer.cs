namespace Burrow.Edge.Policy.Webhooks;

/// <summary>The response the edge sends, instead of forwarding, to a provider's endpoint-verification challenge.</summary>
/// <param name="StatusCode">The HTTP status code.</param>
/// <param name="ContentType">The Content-Type of <paramref name="Body"/>.</param>
/// <param name="Body">The response body, byte for byte.</param>
public readonly record struct WebhookChallengeAnswer(int StatusCode, string ContentType, ReadOnlyMemory<byte> Body);

namespace Burrow.Edge.Policy.Webhooks;

/// <summary>The result of <see cref="WebhookProvider.Verify"/>.</summary>
/// <param name="Outcome">What the provider concluded.</param>
/// <param name="Detail">
/// A short reason safe to show the sender (it names a header or a rule, never the secret or the
/// expected signature); null when verified.
/// </param>
public readonly record struct WebhookVerification(WebhookOutcome Outcome, string? Detail)
{
    /// <summary>Whether the request is verified.</summary>
    public bool IsVerified => Outcome == WebhookOutcome.Verified;

    internal static WebhookVerification Verified => new(WebhookOutcome.Verified, null);

    internal static WebhookVerification Missing(string detail) => new(WebhookOutcome.MissingSignature, detail);

    internal static WebhookVerification Bad(string detail) => new(WebhookOutcome.BadSignature, detail);

    internal static WebhookVerification Stale(string detail) => new(WebhookOutcome.StaleTimestamp, detail);

    internal static WebhookVerification Malformed(string detail) => new(WebhookOutcome.Malformed, detail);
}

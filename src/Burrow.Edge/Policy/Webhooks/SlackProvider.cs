namespace Burrow.Edge.Policy.Webhooks;

// Scheme: https://api.slack.com/authentication/verifying-requests-from-slack
// X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:" + X-Slack-Request-Timestamp + ":" + raw body)>;
// Slack recommends rejecting timestamps more than five minutes from local time.

/// <summary>Slack: <c>X-Slack-Signature</c> over <c>v0:{X-Slack-Request-Timestamp}:{body}</c>.</summary>
internal sealed class SlackProvider : WebhookProvider
{
    private static readonly TimestampedSignature Scheme = TimestampedSignature.V0("X-Slack-Signature", "X-Slack-Request-Timestamp");

    public override string Name => "slack";

    public override WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secret);
        return Scheme.Verify(request, secret, now, tolerance);
    }
}

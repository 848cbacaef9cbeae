namespace Burrow.Edge.Policy.Webhooks;

// Scheme: https://developer.pagerduty.com/docs/webhooks/webhook-signatures/ (V3 webhooks)
// X-PagerDuty-Signature: v1=<hex HMAC-SHA256(secret, raw body)>, several comma-separated while a
// secret is rotated; the request is genuine if any v1 signature matches.

/// <summary>PagerDuty V3: <c>X-PagerDuty-Signature</c>, a comma list of <c>v1=</c> hex HMAC-SHA256 of the body.</summary>
internal sealed class PagerDutyProvider : WebhookProvider
{
    private const string Header = "X-PagerDuty-Signature";
    private static readonly WebhookVerification Missing = WebhookVerification.Missing($"missing {Header} header");
    private static readonly WebhookVerification NoSignature = WebhookVerification.Malformed($"{Header} has no v1= signature");
    private static readonly WebhookVerification Unreadable = WebhookVerification.Malformed($"{Header} v1= is not a hex HMAC-SHA256");
    private static readonly WebhookVerification Bad = WebhookVerification.Bad($"no v1= signature in {Header} matches the payload");

    public override string Name => "pagerduty";

    public override WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secret);
        var header = HeaderValues.Get(request.Headers, Header);
        if (header is null)
        {
            return Missing;
        }

        Span<byte> mac = stackalloc byte[32];
        Hmac.Compute(HmacAlgorithm.Sha256, secret.Utf8, request.Body.Span, mac);
        var tally = default(SignatureTally);
        var list = header.AsSpan();
        foreach (var range in list.Split(','))
        {
            var entry = list[range].Trim();
            if (entry.StartsWith("v1=", StringComparison.Ordinal))
            {
                tally.Add(Signatures.Check(entry[3..], SignatureEncoding.Hex, mac));
            }
        }

        return tally.Any ? tally.Result(Bad, Unreadable) : NoSignature;
    }
}

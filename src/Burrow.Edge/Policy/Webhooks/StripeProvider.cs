namespace Burrow.Edge.Policy.Webhooks;

// Scheme: https://docs.stripe.com/webhooks#verify-manually (and stripe-ruby Stripe::Webhook::Signature)
// Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>[,v1=...][,v0=...]
// Several v1 entries appear while a secret is being rolled; any one matching verifies. Other schemes
// (v0 is a test-mode signature) are ignored. Stripe's libraries default to a 300 s tolerance.

/// <summary>Stripe: <c>Stripe-Signature: t=,v1=</c> over <c>{t}.{body}</c>.</summary>
internal sealed class StripeProvider : WebhookProvider
{
    private const string Header = "Stripe-Signature";
    private static readonly WebhookVerification Missing = WebhookVerification.Missing($"missing {Header} header");
    private static readonly WebhookVerification NoTimestamp = WebhookVerification.Malformed($"{Header} has no t= timestamp");
    private static readonly WebhookVerification NoSignature = WebhookVerification.Malformed($"{Header} has no v1= signature");
    private static readonly WebhookVerification Unreadable = WebhookVerification.Malformed($"{Header} v1= is not a hex HMAC-SHA256");
    private static readonly WebhookVerification Bad = WebhookVerification.Bad($"no v1= signature in {Header} matches the payload");
    private static readonly WebhookVerification Stale = WebhookVerification.Stale($"{Header} t= is outside the allowed tolerance");

    public override string Name => "stripe";

    public override TimeSpan DefaultTolerance => TimeSpan.FromSeconds(300);

    public override WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secret);
        var header = HeaderValues.Get(request.Headers, Header);
        if (header is null)
        {
            return Missing;
        }

        ReadOnlySpan<char> timestamp = default;
        var hasSignature = false;
        foreach (var range in header.AsSpan().Split(','))
        {
            var item = header.AsSpan()[range].Trim();
            if (item.StartsWith("t=", StringComparison.Ordinal))
            {
                timestamp = item[2..];
            }
            else if (item.StartsWith("v1=", StringComparison.Ordinal))
            {
                hasSignature = true;
            }
        }

        if (timestamp.IsEmpty || !Timestamps.TryParse(timestamp, out var seconds))
        {
            return NoTimestamp;
        }

        if (!hasSignature)
        {
            return NoSignature;
        }

        Span<byte> mac = stackalloc byte[HmacAlgorithms.MaxHashSize];
        int length;
        using (var hmac = Hmac.Start(HmacAlgorithm.Sha256, secret.Utf8))
        {
            hmac.AppendUtf8(timestamp);
            hmac.AppendUtf8(".");
            hmac.AppendData(request.Body.Span);
            length = hmac.GetHashAndReset(mac);
        }

        var tally = default(SignatureTally);
        foreach (var range in header.AsSpan().Split(','))
        {
            var item = header.AsSpan()[range].Trim();
            if (item.StartsWith("v1=", StringComparison.Ordinal))
            {
                tally.Add(Signatures.Check(item[3..], SignatureEncoding.Hex, mac[..length]));
            }
        }

        var result = tally.Result(Bad, Unreadable);
        if (!result.IsVerified)
        {
            return result;
        }

        return Timestamps.IsFreshSeconds(seconds, now, tolerance) ? result : Stale;
    }
}

using System.Text.Json;

namespace Burrow.Edge.Policy.Webhooks;

// Scheme: https://linear.app/developers/webhooks ("Securing webhooks") and @linear/sdk LinearWebhooks.verify:
// Linear-Signature: <hex HMAC-SHA256(signing secret, raw body)>, and the body's top-level
// webhookTimestamp (Unix milliseconds) must be within a minute of now to block replays.

/// <summary>Linear: <c>Linear-Signature</c> hex HMAC-SHA256 of the body, plus the body's <c>webhookTimestamp</c>.</summary>
internal sealed class LinearProvider : WebhookProvider
{
    private static readonly SignedHeader Header = new("Linear-Signature", HmacAlgorithm.Sha256, SignatureEncoding.Hex, prefix: null);
    private static readonly WebhookVerification NoTimestamp = WebhookVerification.Malformed("the body has no numeric webhookTimestamp");
    private static readonly WebhookVerification Stale = WebhookVerification.Stale("webhookTimestamp is outside the allowed tolerance");

    public override string Name => "linear";

    public override TimeSpan DefaultTolerance => TimeSpan.FromMinutes(1);

    public override WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secret);
        var result = Header.VerifyBody(request, secret.Utf8);
        if (!result.IsVerified)
        {
            return result;
        }

        if (!TryReadTimestamp(request.Body.Span, out var milliseconds))
        {
            return NoTimestamp;
        }

        return Timestamps.IsFreshMilliseconds(milliseconds, now, tolerance) ? result : Stale;
    }

    private static bool TryReadTimestamp(ReadOnlySpan<byte> json, out long milliseconds)
    {
        milliseconds = 0;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isTimestamp = reader.ValueTextEquals("webhookTimestamp"u8);
                reader.Read();
                if (isTimestamp)
                {
                    return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out milliseconds);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }
}

using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Burrow.Edge.Policy.Webhooks;

// Scheme: https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features
// ("Signed Event Webhook"). X-Twilio-Email-Event-Webhook-Signature: base64 DER ECDSA signature, P-256
// with SHA-256, over X-Twilio-Email-Event-Webhook-Timestamp + raw body; the secret is the
// "Verification Key" SendGrid shows, a base64 public key (checked in sendgrid-csharp's EventWebhook helper).
// SendGrid's docs set no replay window; the timestamp is signed, so the usual tolerance applies.

/// <summary>SendGrid Signed Event Webhook: ECDSA P-256 over timestamp + body, secret = the base64 public key.</summary>
internal sealed class SendGridProvider : WebhookProvider
{
    private const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
    private const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

    // A DER ECDSA P-256 signature is at most 72 bytes; 96 base64 characters, with room to spare.
    private const int MaxSignatureLength = 128;
    private static readonly WebhookVerification Missing = WebhookVerification.Missing($"missing {SignatureHeader} or {TimestampHeader} header");
    private static readonly WebhookVerification MalformedTimestamp = WebhookVerification.Malformed($"{TimestampHeader} is not a Unix time in seconds");
    private static readonly WebhookVerification Unreadable = WebhookVerification.Malformed($"{SignatureHeader} is not a base64 DER ECDSA signature");
    private static readonly WebhookVerification Bad = WebhookVerification.Bad($"{SignatureHeader} does not match the payload");
    private static readonly WebhookVerification Stale = WebhookVerification.Stale($"{TimestampHeader} is outside the allowed tolerance");

    public override string Name => "sendgrid";

    internal override WebhookSecretKind SecretKind => WebhookSecretKind.EcdsaP256PublicKey;

    public override WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secret);
        var signature = HeaderValues.Get(request.Headers, SignatureHeader);
        var timestamp = HeaderValues.Get(request.Headers, TimestampHeader);
        if (signature is null || timestamp is null)
        {
            return Missing;
        }

        if (!Timestamps.TryParse(timestamp, out var seconds))
        {
            return MalformedTimestamp;
        }

        Span<byte> der = stackalloc byte[MaxSignatureLength];
        if (signature.Length > MaxSignatureLength
            || !Convert.TryFromBase64Chars(signature.AsSpan().Trim(), der, out var derLength)
            || !IsDerSignature(der[..derLength]))
        {
            return Unreadable;
        }

        Span<byte> digest = stackalloc byte[32];
        using (var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            sha256.AppendUtf8(timestamp);
            sha256.AppendData(request.Body.Span);
            sha256.GetHashAndReset(digest);
        }

        bool valid;
        try
        {
            valid = secret.VerifyEcdsaSha256(digest, der[..derLength]);
        }
        catch (CryptographicException)
        {
            return Unreadable;
        }

        if (!valid)
        {
            return Bad;
        }

        return Timestamps.IsFreshSeconds(seconds, now, tolerance) ? WebhookVerification.Verified : Stale;
    }

    /// <summary>Whether the bytes are DER SEQUENCE { INTEGER r, INTEGER s } and nothing else, so garbage is told apart from a wrong signature.</summary>
    private static bool IsDerSignature(ReadOnlySpan<byte> der)
    {
        try
        {
            AsnDecoder.ReadSequence(der, AsnEncodingRules.DER, out var contentOffset, out var contentLength, out var consumed);
            if (consumed != der.Length)
            {
                return false;
            }

            var content = der.Slice(contentOffset, contentLength);
            AsnDecoder.ReadIntegerBytes(content, AsnEncodingRules.DER, out var first);
            AsnDecoder.ReadIntegerBytes(content[first..], AsnEncodingRules.DER, out var second);
            return first + second == content.Length;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }
}

using System.Text;
using System.Text.Json;

namespace Burrow.Edge.Policy.Webhooks;

// Scheme: https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks
// The body carries timestamp (Unix seconds), token and signature = hex HMAC-SHA256(HTTP webhook
// signing key, timestamp + token): in a top-level "signature" object of a JSON body (webhooks), or
// as form fields (legacy webhooks). The signature covers those two values, not the rest of the body:
// that is Mailgun's design; the timestamp tolerance is what keeps a captured signature from being reused
// for long. Multipart bodies (inbound routes) are not read here and come back as a missing signature.

/// <summary>Mailgun: <c>signature.{timestamp,token,signature}</c> in the JSON body, or the same form fields.</summary>
internal sealed class MailgunProvider : WebhookProvider
{
    private const int MaxTimestamp = 32;
    private const int MaxToken = 256;
    private const int MaxSignature = 128;
    private static readonly WebhookVerification Missing = WebhookVerification.Missing("missing signature timestamp, token or signature in the body");
    private static readonly WebhookVerification MalformedTimestamp = WebhookVerification.Malformed("signature timestamp is not a Unix time in seconds");
    private static readonly WebhookVerification Unreadable = WebhookVerification.Malformed("signature is not a hex HMAC-SHA256");
    private static readonly WebhookVerification Bad = WebhookVerification.Bad("signature does not match the timestamp and token");
    private static readonly WebhookVerification Stale = WebhookVerification.Stale("signature timestamp is outside the allowed tolerance");

    public override string Name => "mailgun";

    public override WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secret);
        Span<byte> timestamp = stackalloc byte[MaxTimestamp];
        Span<byte> token = stackalloc byte[MaxToken];
        Span<byte> signature = stackalloc byte[MaxSignature];
        var body = request.Body.Span;
        var fields = new Fields(timestamp, token, signature);
        var found = IsJson(body) ? TryReadJson(body, ref fields) : TryReadForm(body, ref fields);
        if (!found)
        {
            return Missing;
        }

        timestamp = timestamp[..fields.TimestampLength];
        Span<char> timestampText = stackalloc char[MaxTimestamp];
        var timestampChars = Encoding.Latin1.GetChars(timestamp, timestampText);
        if (!Timestamps.TryParse(timestampText[..timestampChars], out var seconds))
        {
            return MalformedTimestamp;
        }

        Span<byte> mac = stackalloc byte[32];
        using (var hmac = Hmac.Start(HmacAlgorithm.Sha256, secret.Utf8))
        {
            hmac.AppendData(timestamp);
            hmac.AppendData(token[..fields.TokenLength]);
            hmac.GetHashAndReset(mac);
        }

        Span<char> signatureText = stackalloc char[MaxSignature];
        var signatureChars = Encoding.Latin1.GetChars(signature[..fields.SignatureLength], signatureText);
        switch (Signatures.Check(signatureText[..signatureChars], SignatureEncoding.Hex, mac))
        {
            case SignatureMatch.Mismatch:
                return Bad;
            case SignatureMatch.Unreadable:
                return Unreadable;
        }

        return Timestamps.IsFreshSeconds(seconds, now, tolerance) ? WebhookVerification.Verified : Stale;
    }

    private static bool IsJson(ReadOnlySpan<byte> body)
    {
        var trimmed = body.TrimStart(" \t\r\n"u8);
        return !trimmed.IsEmpty && trimmed[0] == (byte)'{';
    }

    private static bool TryReadForm(ReadOnlySpan<byte> body, ref Fields fields) =>
        FormFields.TryGet(body, "timestamp"u8, fields.Timestamp, out fields.TimestampLength)
        && FormFields.TryGet(body, "token"u8, fields.Token, out fields.TokenLength)
        && FormFields.TryGet(body, "signature"u8, fields.Signature, out fields.SignatureLength);

    private static bool TryReadJson(ReadOnlySpan<byte> json, ref Fields fields)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSignature = reader.ValueTextEquals("signature"u8);
                reader.Read();
                if (isSignature && reader.TokenType == JsonTokenType.StartObject)
                {
                    return TryReadSignatureObject(ref reader, ref fields);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }

    private static bool TryReadSignatureObject(ref Utf8JsonReader reader, ref Fields fields)
    {
        int timestamp = -1, token = -1, signature = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                timestamp = Copy(ref reader, fields.Timestamp, allowNumber: true);
            }
            else if (reader.ValueTextEquals("token"u8))
            {
                reader.Read();
                token = Copy(ref reader, fields.Token, allowNumber: false);
            }
            else if (reader.ValueTextEquals("signature"u8))
            {
                reader.Read();
                signature = Copy(ref reader, fields.Signature, allowNumber: false);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        fields.TimestampLength = timestamp;
        fields.TokenLength = token;
        fields.SignatureLength = signature;
        return timestamp > 0 && token > 0 && signature > 0;
    }

    /// <summary>Copies a string (unescaped) or, when allowed, a number's digits; -1 when it is neither or does not fit.</summary>
    private static int Copy(ref Utf8JsonReader reader, Span<byte> destination, bool allowNumber)
    {
        // The raw value is never shorter than its unescaped form, so a raw value that fits is safe to copy.
        if (reader.ValueSpan.Length > destination.Length)
        {
            return -1;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.CopyString(destination);
        }

        if (allowNumber && reader.TokenType == JsonTokenType.Number)
        {
            reader.ValueSpan.CopyTo(destination);
            return reader.ValueSpan.Length;
        }

        reader.Skip();
        return -1;
    }

    private ref struct Fields(Span<byte> timestamp, Span<byte> token, Span<byte> signature)
    {
        public readonly Span<byte> Timestamp = timestamp;
        public readonly Span<byte> Token = token;
        public readonly Span<byte> Signature = signature;
        public int TimestampLength;
        public int TokenLength;
        public int SignatureLength;
    }
}

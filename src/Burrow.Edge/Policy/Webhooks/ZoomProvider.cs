using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Policy.Webhooks;

// Scheme: https://developers.zoom.us/docs/api/webhooks/ ("Verify webhook events", "Validate your webhook endpoint")
// x-zm-signature: v0=<hex HMAC-SHA256(secret token, "v0:" + x-zm-request-timestamp + ":" + raw body)>.
// Challenge: Zoom POSTs {"event":"endpoint.url_validation","payload":{"plainToken":"..."}} when the
// endpoint is saved and every 72 hours, and expects 200 with
// {"plainToken":"...","encryptedToken":"<hex HMAC-SHA256(secret token, plainToken)>"} within 3 seconds.
// Zoom signs the challenge like any event (its sample app checks x-zm-signature first), and the edge
// must too: the answer is an HMAC with the secret over a string the sender chose, so answering an
// unsigned challenge would sign "v0:{ts}:{any body}" for anyone who asked.

/// <summary>Zoom: <c>x-zm-signature</c> over <c>v0:{x-zm-request-timestamp}:{body}</c>, and the <c>endpoint.url_validation</c> challenge answered at the edge.</summary>
internal sealed class ZoomProvider : WebhookProvider
{
    private const string ValidationEvent = "endpoint.url_validation";
    private static readonly TimestampedSignature Scheme = TimestampedSignature.V0("x-zm-signature", "x-zm-request-timestamp");

    public override string Name => "zoom";

    public override WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secret);
        return Scheme.Verify(request, secret, now, tolerance);
    }

    public override bool TryAnswerChallenge(WebhookRequest request, WebhookSecret secret, out WebhookChallengeAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secret);
        answer = default;

        // Every event passes through here, so only a body that names the event is parsed.
        if (!HttpMethods.IsPost(request.Method) || request.Body.Span.IndexOf("endpoint.url_validation"u8) < 0)
        {
            return false;
        }

        if (!TryReadPlainToken(request.Body.Span, out var plainToken)
            || !Scheme.Verify(request, secret, default, default, checkTimestamp: false).IsVerified)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[32];
        var tokenBytes = System.Text.Encoding.UTF8.GetBytes(plainToken);
        Hmac.Compute(HmacAlgorithm.Sha256, secret.Utf8, tokenBytes, mac);

        var body = new ArrayBufferWriter<byte>(128);
        // Relaxed escaping writes the token as Zoom's own sample (JSON.stringify) does; the response is JSON, never HTML.
        using (var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("plainToken", plainToken);
            writer.WriteString("encryptedToken", Convert.ToHexStringLower(mac));
            writer.WriteEndObject();
        }

        answer = new WebhookChallengeAnswer(StatusCodes.Status200OK, "application/json", body.WrittenMemory);
        return true;
    }

    /// <summary>Reads <c>payload.plainToken</c> when the top-level <c>event</c> is the validation event.</summary>
    private static bool TryReadPlainToken(ReadOnlySpan<byte> json, out string plainToken)
    {
        plainToken = "";
        var isValidation = false;
        string? token = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("event"u8))
                {
                    reader.Read();
                    isValidation = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(ValidationEvent);
                }
                else if (reader.ValueTextEquals("payload"u8))
                {
                    reader.Read();
                    token = reader.TokenType == JsonTokenType.StartObject ? ReadPlainToken(ref reader) : null;
                    if (reader.TokenType != JsonTokenType.EndObject)
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }

        if (!isValidation || string.IsNullOrEmpty(token))
        {
            return false;
        }

        plainToken = token;
        return true;
    }

    // Leaves the reader on the payload object's EndObject.
    private static string? ReadPlainToken(ref Utf8JsonReader reader)
    {
        string? token = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isToken = reader.ValueTextEquals("plainToken"u8);
            reader.Read();
            if (isToken && reader.TokenType == JsonTokenType.String)
            {
                token = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return token;
    }
}

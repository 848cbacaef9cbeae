using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Burrow.Edge.Policy.Webhooks;

// Scheme: https://www.twilio.com/docs/usage/webhooks/webhooks-security ("Validating signatures from Twilio")
// X-Twilio-Signature: base64 HMAC-SHA1(auth token, full URL + for form-encoded POSTs every parameter,
// sorted by name, as name + value with no separators). For a JSON body Twilio adds a bodySHA256
// query parameter (hex SHA-256 of the raw body): the signature covers the URL alone, and the body
// must hash to that parameter. As Twilio's helper libraries do, the URL is tried with and without
// the scheme's default port, because which of the two Twilio signed depends on how it was configured.
// Parameters that repeat are de-duplicated and their values sorted (twilio-node, twilio-python).
// This scheme has to decode and sort the form, so unlike the others it allocates per request.
// Twilio's newer Webhook Rules (X-Twilio-Webhooks-Signature-Settings, HMAC-SHA256 with a shared key) are not supported.

/// <summary>Twilio: <c>X-Twilio-Signature</c> over the URL and the sorted form parameters, or the URL and <c>bodySHA256</c>.</summary>
internal sealed class TwilioProvider : WebhookProvider
{
    private const string Header = "X-Twilio-Signature";
    private const string BodyHashParameter = "bodySHA256";
    private static readonly WebhookVerification Missing = WebhookVerification.Missing($"missing {Header} header");
    private static readonly WebhookVerification Unreadable = WebhookVerification.Malformed($"{Header} is not a base64 HMAC-SHA1");
    private static readonly WebhookVerification Bad = WebhookVerification.Bad($"{Header} does not match the URL and parameters");
    private static readonly WebhookVerification BadBody = WebhookVerification.Bad($"the body does not match the {BodyHashParameter} parameter");
    private static readonly WebhookVerification UnreadableForm = WebhookVerification.Malformed("the form body cannot be decoded");

    public override string Name => "twilio";

    public override WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secret);
        var header = HeaderValues.Get(request.Headers, Header);
        if (header is null)
        {
            return Missing;
        }

        Span<byte> signature = stackalloc byte[20];
        if (!Signatures.TryDecode(header, SignatureEncoding.Base64, signature))
        {
            return Unreadable;
        }

        var url = request.Url;
        string? bodyHash = null;
        if (url.Query.Contains(BodyHashParameter, StringComparison.Ordinal)
            && QueryHelpers.ParseQuery(url.Query).TryGetValue(BodyHashParameter, out var values))
        {
            bodyHash = values.ToString();
        }

        KeyValuePair<string, string>[] parameters = [];
        if (bodyHash is null && HttpMethods.IsPost(request.Method) && IsForm(request.Headers))
        {
            if (!TryReadForm(request.Body.Span, out parameters))
            {
                return UnreadableForm;
            }
        }

        if (!MatchesAnyUrlForm(url, parameters, secret.Utf8, signature))
        {
            return Bad;
        }

        if (bodyHash is not null)
        {
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(request.Body.Span, digest);
            if (Signatures.Check(bodyHash, SignatureEncoding.Hex, digest) != SignatureMatch.Match)
            {
                return BadBody;
            }
        }

        return WebhookVerification.Verified;
    }

    private static bool MatchesAnyUrlForm(Uri url, KeyValuePair<string, string>[] parameters, byte[] key, ReadOnlySpan<byte> signature)
    {
        var written = url.OriginalString;
        if (Matches(written, parameters, key, signature))
        {
            return true;
        }

        if (!url.IsAbsoluteUri)
        {
            return false;
        }

        var withPort = url.GetComponents(
            UriComponents.Scheme | UriComponents.UserInfo | UriComponents.Host | UriComponents.StrongPort | UriComponents.PathAndQuery, UriFormat.UriEscaped);
        var withoutPort = url.GetComponents(UriComponents.SchemeAndServer | UriComponents.PathAndQuery, UriFormat.UriEscaped);
        return (!string.Equals(withPort, written, StringComparison.Ordinal) && Matches(withPort, parameters, key, signature))
            || (!string.Equals(withoutPort, written, StringComparison.Ordinal) && !string.Equals(withoutPort, withPort, StringComparison.Ordinal)
                && Matches(withoutPort, parameters, key, signature));
    }

    private static bool Matches(string url, KeyValuePair<string, string>[] parameters, byte[] key, ReadOnlySpan<byte> signature)
    {
        Span<byte> mac = stackalloc byte[20];
        using (var hmac = Hmac.Start(HmacAlgorithm.Sha1, key))
        {
            hmac.AppendUtf8(url);
            foreach (var (name, value) in parameters)
            {
                hmac.AppendUtf8(name);
                hmac.AppendUtf8(value);
            }

            hmac.GetHashAndReset(mac);
        }

        return CryptographicOperations.FixedTimeEquals(mac, signature);
    }

    private static bool IsForm(IHeaderDictionary headers) =>
        HeaderValues.Get(headers, "Content-Type") is { } type && type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    /// <summary>The form's parameters in the order Twilio signs them: by name, then by value, duplicates once.</summary>
    private static bool TryReadForm(ReadOnlySpan<byte> body, out KeyValuePair<string, string>[] parameters)
    {
        parameters = [];
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var form = QueryHelpers.ParseNullableQuery(text);
        if (form is null)
        {
            return true;
        }

        var list = new List<KeyValuePair<string, string>>(form.Count);
        foreach (var (name, values) in form)
        {
            foreach (var value in new SortedSet<string>(Values(values), StringComparer.Ordinal))
            {
                list.Add(new(name, value));
            }
        }

        // Stable sort on the name keeps the per-name value order built above.
        parameters = [.. list.OrderBy(pair => pair.Key, StringComparer.Ordinal)];
        return true;
    }

    private static IEnumerable<string> Values(StringValues values)
    {
        foreach (var value in values)
        {
            yield return value ?? "";
        }
    }
}

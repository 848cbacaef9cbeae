using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Burrow.Acme.Jws;

/// <summary>
/// Builds the flattened JWS JSON serialization every ACME POST carries (RFC 8555 section 6.2): a protected
/// header with alg, nonce, url and exactly one of jwk (new account, key change's inner JWS) or kid (the account
/// URL), the payload, and the signature over "protected.payload".
/// </summary>
internal static class JwsMessage
{
    /// <summary>Signs <paramref name="payload"/> (UTF-8 JSON, or empty for POST-as-GET).</summary>
    /// <param name="key">The signing key.</param>
    /// <param name="url">The request URL, repeated in the header so a replayed body cannot be aimed elsewhere.</param>
    /// <param name="nonce">A fresh server nonce, or <see langword="null"/> for key change's inner JWS.</param>
    /// <param name="accountUrl">The kid; <see langword="null"/> puts the key itself in the header.</param>
    /// <param name="payload">The payload bytes; empty for POST-as-GET (RFC 8555 section 6.3).</param>
    public static byte[] Sign(AccountKey key, Uri url, string? nonce, Uri? accountUrl, ReadOnlySpan<byte> payload)
    {
        using var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            w.WriteString("alg", AccountKey.Algorithm);
            if (accountUrl is null)
            {
                w.WritePropertyName("jwk");
                w.WriteRawValue(key.Jwk, skipInputValidation: true);
            }
            else
            {
                w.WriteString("kid", accountUrl.AbsoluteUri);
            }

            if (nonce is not null)
            {
                w.WriteString("nonce", nonce);
            }

            w.WriteString("url", url.AbsoluteUri);
            w.WriteEndObject();
        }

        string protectedPart = Base64Url.EncodeToString(header.ToArray());
        string payloadPart = Base64Url.EncodeToString(payload);
        byte[] signature = key.Sign(Encoding.ASCII.GetBytes(protectedPart + "." + payloadPart));

        using var body = new MemoryStream();
        using (var w = new Utf8JsonWriter(body))
        {
            w.WriteStartObject();
            w.WriteString("protected", protectedPart);
            w.WriteString("payload", payloadPart);
            w.WriteString("signature", Base64Url.EncodeToString(signature));
            w.WriteEndObject();
        }

        return body.ToArray();
    }
}

namespace Burrow.Edge.Policy.Webhooks;

// Scheme: https://developer.squareup.com/docs/webhooks/step3validate
// x-square-hmacsha256-signature: base64 HMAC-SHA256(signature key, notification URL + raw body). The
// notification URL is the one configured in Square, i.e. the public URL called. Square also still
// sends the legacy x-square-signature (base64 HMAC-SHA1 of the same), checked only when the SHA-256
// header is absent.

/// <summary>Square: <c>x-square-hmacsha256-signature</c> over the notification URL + body.</summary>
internal sealed class SquareProvider : WebhookProvider
{
    private static readonly SignedHeader Sha256 = new("x-square-hmacsha256-signature", HmacAlgorithm.Sha256, SignatureEncoding.Base64, prefix: null);
    private static readonly SignedHeader Sha1 = new("x-square-signature", HmacAlgorithm.Sha1, SignatureEncoding.Base64, prefix: null);

    public override string Name => "square";

    public override WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secret);
        var header = Sha256;
        var value = HeaderValues.Get(request.Headers, Sha256.Name);
        if (value is null && (value = HeaderValues.Get(request.Headers, Sha1.Name)) is not null)
        {
            header = Sha1;
        }

        if (value is null)
        {
            return Sha256.Missing;
        }

        Span<byte> mac = stackalloc byte[HmacAlgorithms.MaxHashSize];
        int length;
        using (var hmac = Hmac.Start(header.Algorithm, secret.Utf8))
        {
            hmac.AppendUtf8(request.Url.OriginalString);
            hmac.AppendData(request.Body.Span);
            length = hmac.GetHashAndReset(mac);
        }

        return header.Check(value, mac[..length]);
    }
}

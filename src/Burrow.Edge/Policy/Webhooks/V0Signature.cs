namespace Burrow.Edge.Policy.Webhooks;

/// <summary>
/// The scheme Slack introduced and Zoom copied: a timestamp header, and a signature header holding
/// <c>v0=</c> + hex HMAC-SHA256(secret, <c>v0:{timestamp}:{raw body}</c>).
/// </summary>
internal sealed class V0Signature
{
    private readonly SignedHeader _signature;
    private readonly string _timestampHeader;
    private readonly WebhookVerification _missingTimestamp;
    private readonly WebhookVerification _malformedTimestamp;
    private readonly WebhookVerification _stale;

    public V0Signature(string signatureHeader, string timestampHeader)
    {
        _signature = new SignedHeader(signatureHeader, HmacAlgorithm.Sha256, SignatureEncoding.Hex, "v0=");
        _timestampHeader = timestampHeader;
        _missingTimestamp = WebhookVerification.Missing($"missing {timestampHeader} header");
        _malformedTimestamp = WebhookVerification.Malformed($"{timestampHeader} is not a Unix time in seconds");
        _stale = WebhookVerification.Stale($"{timestampHeader} is outside the allowed tolerance");
    }

    /// <remarks><paramref name="checkTimestamp"/> is false only for Zoom's challenge, whose answer is the same however late it is replayed.</remarks>
    public WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance, bool checkTimestamp = true)
    {
        var signature = HeaderValues.Get(request.Headers, _signature.Name);
        if (signature is null)
        {
            return _signature.Missing;
        }

        var timestamp = HeaderValues.Get(request.Headers, _timestampHeader);
        if (timestamp is null)
        {
            return _missingTimestamp;
        }

        if (!Timestamps.TryParse(timestamp, out var seconds))
        {
            return _malformedTimestamp;
        }

        Span<byte> mac = stackalloc byte[HmacAlgorithms.MaxHashSize];
        int length;
        using (var hmac = Hmac.Start(HmacAlgorithm.Sha256, secret.Utf8))
        {
            hmac.AppendUtf8("v0:");
            hmac.AppendUtf8(timestamp);
            hmac.AppendUtf8(":");
            hmac.AppendData(request.Body.Span);
            length = hmac.GetHashAndReset(mac);
        }

        var result = _signature.Check(signature, mac[..length]);
        if (!result.IsVerified)
        {
            return result;
        }

        return !checkTimestamp || Timestamps.IsFreshSeconds(seconds, now, tolerance) ? result : _stale;
    }
}

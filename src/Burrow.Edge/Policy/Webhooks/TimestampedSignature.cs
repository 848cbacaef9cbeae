namespace Burrow.Edge.Policy.Webhooks;

/// <summary>
/// A signature over a timestamp header and the raw body, <c>{before}{timestamp}{between}{body}</c>, checked
/// against a signature header and then for freshness. Slack's <c>v0</c> scheme (which Zoom copied) signs
/// <c>v0:{timestamp}:{body}</c>; the generic provider with a timestamp header signs <c>{timestamp}.{body}</c>.
/// </summary>
internal sealed class TimestampedSignature
{
    private readonly SignedHeader _signature;
    private readonly string _timestampHeader;
    private readonly string _before;
    private readonly string _between;
    private readonly WebhookVerification _missingTimestamp;
    private readonly WebhookVerification _malformedTimestamp;
    private readonly WebhookVerification _stale;

    public TimestampedSignature(SignedHeader signature, string timestampHeader, string before, string between)
    {
        _signature = signature;
        _timestampHeader = timestampHeader;
        _before = before;
        _between = between;
        _missingTimestamp = WebhookVerification.Missing($"missing {timestampHeader} header");
        _malformedTimestamp = WebhookVerification.Malformed($"{timestampHeader} is not a Unix time in seconds");
        _stale = WebhookVerification.Stale($"{timestampHeader} is outside the allowed tolerance");
    }

    /// <summary>Slack's scheme: <c>v0=</c> + hex HMAC-SHA256(secret, <c>v0:{timestamp}:{raw body}</c>).</summary>
    public static TimestampedSignature V0(string signatureHeader, string timestampHeader) =>
        new(new SignedHeader(signatureHeader, HmacAlgorithm.Sha256, SignatureEncoding.Hex, "v0="), timestampHeader, "v0:", ":");

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
        using (var hmac = Hmac.Start(_signature.Algorithm, secret.Utf8))
        {
            hmac.AppendUtf8(_before);
            hmac.AppendUtf8(timestamp);
            hmac.AppendUtf8(_between);
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

namespace Burrow.Edge.Policy.Webhooks;

/// <summary>The configurable scheme of <see cref="GenericHmacOptions"/>.</summary>
internal sealed class GenericHmacProvider : WebhookProvider
{
    public const string ProviderName = "generic";

    private readonly SignedHeader _header;
    private readonly string? _timestampHeader;
    private readonly WebhookVerification _missingTimestamp;
    private readonly WebhookVerification _malformedTimestamp;
    private readonly WebhookVerification _stale;

    private GenericHmacProvider(SignedHeader header, string? timestampHeader)
    {
        _header = header;
        _timestampHeader = timestampHeader;
        _missingTimestamp = WebhookVerification.Missing($"missing {timestampHeader} header");
        _malformedTimestamp = WebhookVerification.Malformed($"{timestampHeader} is not a Unix time in seconds");
        _stale = WebhookVerification.Stale($"{timestampHeader} is outside the allowed tolerance");
    }

    public override string Name => ProviderName;

    public static bool TryCreate(GenericHmacOptions options, out GenericHmacProvider? provider, out string? error)
    {
        provider = null;
        if (string.IsNullOrWhiteSpace(options.Header))
        {
            error = "the signature header is required";
            return false;
        }

        if (!HmacAlgorithms.TryParse(options.Algorithm, out var algorithm))
        {
            error = $"unknown algorithm '{options.Algorithm}' (use sha1, sha256 or sha512)";
            return false;
        }

        SignatureEncoding encoding;
        if (string.Equals(options.Encoding, "hex", StringComparison.OrdinalIgnoreCase))
        {
            encoding = SignatureEncoding.Hex;
        }
        else if (string.Equals(options.Encoding, "base64", StringComparison.OrdinalIgnoreCase))
        {
            encoding = SignatureEncoding.Base64;
        }
        else
        {
            error = $"unknown encoding '{options.Encoding}' (use hex or base64)";
            return false;
        }

        var timestampHeader = string.IsNullOrWhiteSpace(options.TimestampHeader) ? null : options.TimestampHeader.Trim();
        provider = new GenericHmacProvider(new SignedHeader(options.Header.Trim(), algorithm, encoding, options.Prefix), timestampHeader);
        error = null;
        return true;
    }

    public override WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secret);
        if (_timestampHeader is null)
        {
            return _header.VerifyBody(request, secret.Utf8);
        }

        var signature = HeaderValues.Get(request.Headers, _header.Name);
        if (signature is null)
        {
            return _header.Missing;
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
        using (var hmac = Hmac.Start(_header.Algorithm, secret.Utf8))
        {
            hmac.AppendUtf8(timestamp);
            hmac.AppendUtf8(".");
            hmac.AppendData(request.Body.Span);
            length = hmac.GetHashAndReset(mac);
        }

        var result = _header.Check(signature, mac[..length]);
        if (!result.IsVerified)
        {
            return result;
        }

        return Timestamps.IsFreshSeconds(seconds, now, tolerance) ? result : _stale;
    }
}

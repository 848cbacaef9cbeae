namespace Burrow.Edge.Policy.Webhooks;

/// <summary>The configurable scheme of <see cref="GenericHmacOptions"/>.</summary>
internal sealed class GenericHmacProvider : WebhookProvider
{
    public const string ProviderName = "generic";

    private readonly SignedHeader _header;
    // With a timestamp header the signed string is "{timestamp}.{body}", checked for freshness too.
    private readonly TimestampedSignature? _timestamped;

    private GenericHmacProvider(SignedHeader header, string? timestampHeader)
    {
        _header = header;
        _timestamped = timestampHeader is null ? null : new TimestampedSignature(header, timestampHeader, "", ".");
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
        return _timestamped is null
            ? _header.VerifyBody(request, secret.Utf8)
            : _timestamped.Verify(request, secret, now, tolerance);
    }
}

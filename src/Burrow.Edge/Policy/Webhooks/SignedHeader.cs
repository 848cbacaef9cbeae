namespace Burrow.Edge.Policy.Webhooks;

/// <summary>
/// A header holding one HMAC signature, optionally behind a prefix such as <c>sha256=</c>. Its failure
/// results are built once here, so a rejected request allocates nothing either.
/// </summary>
internal sealed class SignedHeader
{
    public SignedHeader(string name, HmacAlgorithm algorithm, SignatureEncoding encoding, string? prefix)
    {
        Name = name;
        Algorithm = algorithm;
        Encoding = encoding;
        Prefix = prefix ?? "";
        var form = $"{Prefix}{(encoding == SignatureEncoding.Hex ? "hex" : "base64")} HMAC-{algorithm.ToString().ToUpperInvariant()}";
        Missing = WebhookVerification.Missing($"missing {name} header");
        Malformed = WebhookVerification.Malformed($"{name} is not a {form} signature");
        Bad = WebhookVerification.Bad($"{name} does not match the payload");
    }

    public string Name { get; }

    public HmacAlgorithm Algorithm { get; }

    public SignatureEncoding Encoding { get; }

    public string Prefix { get; }

    public WebhookVerification Missing { get; }

    public WebhookVerification Malformed { get; }

    public WebhookVerification Bad { get; }

    /// <summary>Checks the header against HMAC(<paramref name="key"/>, body).</summary>
    public WebhookVerification VerifyBody(WebhookRequest request, ReadOnlySpan<byte> key)
    {
        var value = HeaderValues.Get(request.Headers, Name);
        if (value is null)
        {
            return Missing;
        }

        Span<byte> mac = stackalloc byte[HmacAlgorithms.MaxHashSize];
        var length = Hmac.Compute(Algorithm, key, request.Body.Span, mac);
        return Check(value, mac[..length]);
    }

    /// <summary>Checks a header value against an expected digest.</summary>
    public WebhookVerification Check(ReadOnlySpan<char> value, ReadOnlySpan<byte> expected)
    {
        value = value.Trim();
        if (!value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return Malformed;
        }

        return Signatures.Check(value[Prefix.Length..], Encoding, expected) switch
        {
            SignatureMatch.Match => WebhookVerification.Verified,
            SignatureMatch.Mismatch => Bad,
            _ => Malformed,
        };
    }
}

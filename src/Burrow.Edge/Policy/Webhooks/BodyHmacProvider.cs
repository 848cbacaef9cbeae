namespace Burrow.Edge.Policy.Webhooks;

/// <summary>
/// The most common scheme: one header holding HMAC(secret, raw body), with no timestamp. Providers
/// that use it are one-line subclasses naming the header, hash, encoding and prefix their docs give.
/// </summary>
internal abstract class BodyHmacProvider : WebhookProvider
{
    private readonly SignedHeader _header;

    protected BodyHmacProvider(string name, SignedHeader header)
    {
        Name = name;
        _header = header;
    }

    public override string Name { get; }

    public override WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secret);
        return _header.VerifyBody(request, secret.Utf8);
    }
}

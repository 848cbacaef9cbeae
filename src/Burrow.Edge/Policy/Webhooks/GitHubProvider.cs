namespace Burrow.Edge.Policy.Webhooks;

// Scheme: https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries
// X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>. GitHub still sends the legacy
// X-Hub-Signature: sha1=<hex HMAC-SHA1> (and GitHub Enterprise Server before 3.0 sends only that),
// so it is checked when the SHA-256 header is absent, never in addition.

/// <summary>GitHub: <c>X-Hub-Signature-256</c>, falling back to the legacy SHA-1 <c>X-Hub-Signature</c>.</summary>
internal sealed class GitHubProvider : WebhookProvider
{
    private static readonly SignedHeader Sha256 = new("X-Hub-Signature-256", HmacAlgorithm.Sha256, SignatureEncoding.Hex, "sha256=");
    private static readonly SignedHeader Sha1 = new("X-Hub-Signature", HmacAlgorithm.Sha1, SignatureEncoding.Hex, "sha1=");
    private static readonly WebhookVerification Missing = WebhookVerification.Missing("missing X-Hub-Signature-256 header");

    public override string Name => "github";

    public override WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secret);
        if (HeaderValues.Get(request.Headers, Sha256.Name) is not null)
        {
            return Sha256.VerifyBody(request, secret.Utf8);
        }

        return HeaderValues.Get(request.Headers, Sha1.Name) is not null ? Sha1.VerifyBody(request, secret.Utf8) : Missing;
    }
}

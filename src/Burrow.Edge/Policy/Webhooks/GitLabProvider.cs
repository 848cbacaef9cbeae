using System.Security.Cryptography;
using System.Text;

namespace Burrow.Edge.Policy.Webhooks;

// Schemes: https://docs.gitlab.com/user/project/integrations/webhooks/ ("Secret token"): X-Gitlab-Token
// carries the configured secret token verbatim. GitLab 18.x adds a signing token
// (https://gitlab.com/gitlab-org/gitlab/-/merge_requests/230944, behind the webhook_signing_token flag):
// a "whsec_<base64>" key, with webhook-id, webhook-timestamp and webhook-signature sent per the
// Standard Webhooks spec. A secret starting with whsec_ is that key; a request carrying
// webhook-signature is then checked that way, otherwise X-Gitlab-Token is compared.

/// <summary>GitLab: the <c>X-Gitlab-Token</c> secret token, or the Standard Webhooks signing token.</summary>
internal sealed class GitLabProvider : WebhookProvider
{
    private const string TokenHeader = "X-Gitlab-Token";
    private const int MaxTokenLength = 1024;
    private static readonly StandardWebhooksSignature Signing = new("webhook-");
    private static readonly WebhookVerification Missing = WebhookVerification.Missing($"missing {TokenHeader} header");
    private static readonly WebhookVerification Bad = WebhookVerification.Bad($"{TokenHeader} does not match");

    public override string Name => "gitlab";

    internal override WebhookSecretKind SecretKind => WebhookSecretKind.TextOrStandardWebhooksKey;

    public override WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.StandardWebhooksKey is { } key && Signing.IsPresent(request))
        {
            return Signing.Verify(request, key, now, tolerance);
        }

        var token = HeaderValues.Get(request.Headers, TokenHeader);
        if (token is null)
        {
            return Missing;
        }

        if (token.Length > MaxTokenLength)
        {
            return Bad;
        }

        // Comparing digests keeps the comparison constant-time in the token's length as well as its content.
        Span<byte> utf8 = stackalloc byte[MaxTokenLength * 3];
        var written = Encoding.UTF8.GetBytes(token, utf8);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(utf8[..written], digest);
        return CryptographicOperations.FixedTimeEquals(digest, secret.Utf8Sha256) ? WebhookVerification.Verified : Bad;
    }
}

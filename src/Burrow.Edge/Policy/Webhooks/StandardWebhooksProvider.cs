namespace Burrow.Edge.Policy.Webhooks;

// Scheme: see StandardWebhooksSignature. Svix sends svix-id/svix-timestamp/svix-signature, and its
// libraries also accept the webhook-* names (Svix's "unbranded" headers), so "svix" and "clerk"
// (Clerk delivers through Svix: https://clerk.com/docs/webhooks/sync-data) check either set;
// "standard_webhooks" checks only the spec's webhook-* names.

/// <summary>Standard Webhooks, Svix and the providers that deliver through Svix.</summary>
internal sealed class StandardWebhooksProvider : WebhookProvider
{
    private static readonly StandardWebhooksSignature Unbranded = new("webhook-");
    private static readonly StandardWebhooksSignature SvixBranded = new("svix-");

    private readonly bool _acceptsSvixHeaders;

    private StandardWebhooksProvider(string name, bool acceptsSvixHeaders)
    {
        Name = name;
        _acceptsSvixHeaders = acceptsSvixHeaders;
    }

    public static StandardWebhooksProvider Standard { get; } = new("standard_webhooks", acceptsSvixHeaders: false);

    public static StandardWebhooksProvider Svix { get; } = new("svix", acceptsSvixHeaders: true);

    public static StandardWebhooksProvider Clerk { get; } = new("clerk", acceptsSvixHeaders: true);

    public override string Name { get; }

    internal override WebhookSecretKind SecretKind => WebhookSecretKind.StandardWebhooksKey;

    public override WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secret);
        var key = secret.StandardWebhooksKey;
        if (key is null)
        {
            // Only a secret parsed for another provider gets here; refuse rather than key the HMAC with text.
            return WebhookVerification.Bad("the configured secret is not a whsec_ signing secret");
        }

        var scheme = _acceptsSvixHeaders && SvixBranded.IsPresent(request) ? SvixBranded : Unbranded;
        if (!scheme.IsPresent(request))
        {
            return _acceptsSvixHeaders ? SvixBranded.Missing : Unbranded.Missing;
        }

        return scheme.Verify(request, key, now, tolerance);
    }
}

namespace Burrow.Edge.Policy.Webhooks;

/// <summary>The form of secret a provider's scheme uses.</summary>
internal enum WebhookSecretKind
{
    /// <summary>A string used as the HMAC key (its UTF-8 bytes) or compared as a token.</summary>
    Text,

    /// <summary>A Standard Webhooks / Svix key: <c>whsec_</c> followed by base64 (the prefix is optional).</summary>
    StandardWebhooksKey,

    /// <summary>A token, or a <c>whsec_</c> key when it has that prefix (GitLab takes either).</summary>
    TextOrStandardWebhooksKey,

    /// <summary>A base64 DER SubjectPublicKeyInfo of an ECDSA P-256 key (SendGrid's verification key).</summary>
    EcdsaP256PublicKey,
}

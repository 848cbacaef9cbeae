namespace Burrow.Edge.Policy.Webhooks;

// Scheme: https://docs.sentry.io/organization/integrations/integration-platform/webhooks/ ("Sentry-Hook-Signature")
// Sentry-Hook-Signature: <hex HMAC-SHA256(client secret, raw body)>.

/// <summary>Sentry integrations: hex HMAC-SHA256 of the body in <c>Sentry-Hook-Signature</c>.</summary>
internal sealed class SentryProvider() : BodyHmacProvider(
    "sentry", new SignedHeader("Sentry-Hook-Signature", HmacAlgorithm.Sha256, SignatureEncoding.Hex, prefix: null));

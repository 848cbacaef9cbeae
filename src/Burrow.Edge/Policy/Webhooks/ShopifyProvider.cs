namespace Burrow.Edge.Policy.Webhooks;

// Scheme: https://shopify.dev/docs/apps/build/webhooks/subscribe/https (step "Verify the webhook")
// X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(app client secret, raw body)>.

/// <summary>Shopify: base64 HMAC-SHA256 of the body in <c>X-Shopify-Hmac-Sha256</c>.</summary>
internal sealed class ShopifyProvider() : BodyHmacProvider(
    "shopify", new SignedHeader("X-Shopify-Hmac-Sha256", HmacAlgorithm.Sha256, SignatureEncoding.Base64, prefix: null));

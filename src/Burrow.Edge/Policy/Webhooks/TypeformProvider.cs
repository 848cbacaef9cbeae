namespace Burrow.Edge.Policy.Webhooks;

// Scheme: https://www.typeform.com/developers/webhooks/secure-your-webhooks/
// Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, raw body)>.

/// <summary>Typeform: <c>Typeform-Signature: sha256=</c> base64 HMAC-SHA256 of the body.</summary>
internal sealed class TypeformProvider() : BodyHmacProvider(
    "typeform", new SignedHeader("Typeform-Signature", HmacAlgorithm.Sha256, SignatureEncoding.Base64, "sha256="));

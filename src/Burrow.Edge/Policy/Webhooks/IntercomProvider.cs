namespace Burrow.Edge.Policy.Webhooks;

// Scheme: https://developers.intercom.com/docs/references/webhooks/webhook-models ("Signed notifications")
// X-Hub-Signature: sha1=<hex HMAC-SHA1(app client secret, raw body)>.

/// <summary>Intercom: <c>X-Hub-Signature: sha1=</c> hex HMAC-SHA1 of the body.</summary>
internal sealed class IntercomProvider() : BodyHmacProvider(
    "intercom", new SignedHeader("X-Hub-Signature", HmacAlgorithm.Sha1, SignatureEncoding.Hex, "sha1="));

namespace Burrow.Edge.Policy.Webhooks;

// Scheme: https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/ ("Secure webhooks")
// X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>.

/// <summary>Bitbucket Cloud: <c>X-Hub-Signature: sha256=</c> hex HMAC-SHA256 of the body.</summary>
internal sealed class BitbucketProvider() : BodyHmacProvider(
    "bitbucket", new SignedHeader("X-Hub-Signature", HmacAlgorithm.Sha256, SignatureEncoding.Hex, "sha256="));

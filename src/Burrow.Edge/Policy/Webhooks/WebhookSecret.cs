using System.Security.Cryptography;
using System.Text;

namespace Burrow.Edge.Policy.Webhooks;

/// <summary>
/// A provider's configured secret with the forms its scheme needs already derived: the UTF-8 bytes of
/// an HMAC key, the decoded <c>whsec_</c> key of Standard Webhooks, or SendGrid's ECDSA public key.
/// Deriving them in <see cref="TryParse(string, string, out WebhookSecret?, out string?)"/> means a bad
/// secret is refused when the policy is loaded, with a message, and never fails a request.
/// </summary>
/// <remarks>Thread-safe; one instance serves every request of a tunnel. Never printed: <see cref="ToString"/> hides it.</remarks>
public sealed class WebhookSecret : IDisposable
{
    private const string StandardWebhooksPrefix = "whsec_";

    private readonly ECDsa? _publicKey;

    // ECDsa instances are not documented as safe for concurrent use, and SendGrid traffic is light:
    // a lock is cheaper than importing the key per request.
    private readonly Lock _publicKeyLock = new();

    private WebhookSecret(string value, byte[]? standardWebhooksKey, ECDsa? publicKey)
    {
        Utf8 = Encoding.UTF8.GetBytes(value);
        Utf8Sha256 = SHA256.HashData(Utf8);
        StandardWebhooksKey = standardWebhooksKey;
        _publicKey = publicKey;
    }

    /// <summary>The secret's UTF-8 bytes: the HMAC key of most schemes.</summary>
    internal byte[] Utf8 { get; }

    /// <summary>SHA-256 of <see cref="Utf8"/>, for comparing plain tokens (GitLab) without leaking their length.</summary>
    internal byte[] Utf8Sha256 { get; }

    /// <summary>The decoded key of a <c>whsec_</c> secret, or null when the secret is not one.</summary>
    internal byte[]? StandardWebhooksKey { get; }

    /// <summary>Parses <paramref name="secret"/> for the provider named <paramref name="providerName"/> (an id of <see cref="WebhookProviders.Names"/>, or <c>generic</c>).</summary>
    /// <returns>False, with <paramref name="error"/> saying why, for an unknown provider or a secret that provider cannot use.</returns>
    public static bool TryParse(string providerName, string secret, out WebhookSecret? parsed, out string? error)
    {
        ArgumentNullException.ThrowIfNull(providerName);
        ArgumentNullException.ThrowIfNull(secret);
        var kind = WebhookSecretKind.Text;
        if (WebhookProviders.TryGet(providerName, out var provider))
        {
            kind = provider.SecretKind;
        }
        else if (!string.Equals(providerName, GenericHmacProvider.ProviderName, StringComparison.Ordinal))
        {
            parsed = null;
            error = $"unknown webhook provider '{providerName}'";
            return false;
        }

        return TryParse(kind, secret, out parsed, out error);
    }

    /// <summary>Parses <paramref name="secret"/> for <paramref name="provider"/>.</summary>
    public static bool TryParse(WebhookProvider provider, string secret, out WebhookSecret? parsed, out string? error)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(secret);
        return TryParse(provider.SecretKind, secret, out parsed, out error);
    }

    /// <summary>Verifies an ECDSA P-256 signature (DER) over a SHA-256 digest with the SendGrid public key.</summary>
    internal bool VerifyEcdsaSha256(ReadOnlySpan<byte> sha256, ReadOnlySpan<byte> derSignature)
    {
        if (_publicKey is null)
        {
            return false;
        }

        lock (_publicKeyLock)
        {
            return _publicKey.VerifyHash(sha256, derSignature, DSASignatureFormat.Rfc3279DerSequence);
        }
    }

    /// <inheritdoc />
    public override string ToString() => "WebhookSecret(redacted)";

    /// <inheritdoc />
    public void Dispose() => _publicKey?.Dispose();

    private static bool TryParse(WebhookSecretKind kind, string secret, out WebhookSecret? parsed, out string? error)
    {
        parsed = null;
        if (secret.Length == 0)
        {
            error = "the webhook secret is empty";
            return false;
        }

        switch (kind)
        {
            case WebhookSecretKind.StandardWebhooksKey:
                if (!TryDecodeStandardWebhooksKey(secret, out var key))
                {
                    error = "the secret must be 'whsec_' followed by base64 (the signing secret the provider shows)";
                    return false;
                }

                parsed = new WebhookSecret(secret, key, null);
                break;

            case WebhookSecretKind.TextOrStandardWebhooksKey:
                byte[]? signingKey = null;
                if (secret.StartsWith(StandardWebhooksPrefix, StringComparison.Ordinal) && !TryDecodeStandardWebhooksKey(secret, out signingKey))
                {
                    error = "a signing token must be 'whsec_' followed by base64";
                    return false;
                }

                parsed = new WebhookSecret(secret, signingKey, null);
                break;

            case WebhookSecretKind.EcdsaP256PublicKey:
                if (!TryImportP256PublicKey(secret, out var publicKey))
                {
                    error = "the secret must be the provider's verification key: a base64 ECDSA P-256 public key";
                    return false;
                }

                parsed = new WebhookSecret(secret, null, publicKey);
                break;

            default:
                parsed = new WebhookSecret(secret, null, null);
                break;
        }

        error = null;
        return true;
    }

    private static bool TryDecodeStandardWebhooksKey(string secret, out byte[]? key)
    {
        // The spec's libraries strip the prefix when present and base64-decode the rest.
        var encoded = secret.AsSpan();
        if (encoded.StartsWith(StandardWebhooksPrefix, StringComparison.Ordinal))
        {
            encoded = encoded[StandardWebhooksPrefix.Length..];
        }

        var buffer = new byte[(encoded.Length * 3 / 4) + 3];
        if (encoded.Length == 0 || !Convert.TryFromBase64Chars(encoded, buffer, out var written) || written == 0)
        {
            key = null;
            return false;
        }

        key = buffer.AsSpan(0, written).ToArray();
        return true;
    }

    private static bool TryImportP256PublicKey(string secret, out ECDsa? publicKey)
    {
        publicKey = null;
        var buffer = new byte[(secret.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(secret.Trim(), buffer, out var written))
        {
            return false;
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(buffer.AsSpan(0, written), out var read);
            if (read != written || !IsP256(key.ExportParameters(false).Curve))
            {
                key.Dispose();
                return false;
            }
        }
        catch (CryptographicException)
        {
            key.Dispose();
            return false;
        }

        publicKey = key;
        return true;
    }

    // Platforms name the curve differently (OID, Windows name, OpenSSL name); secp256k1 is also 256 bits, so the size alone is not enough.
    private static bool IsP256(ECCurve curve) =>
        curve.IsNamed && (curve.Oid.Value == "1.2.840.10045.3.1.7" || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "prime256v1" or "secp256r1");
}

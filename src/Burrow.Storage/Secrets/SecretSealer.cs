using System.Security.Cryptography;
using System.Text;

namespace Burrow.Storage.Secrets;

/// <summary>
/// Seals private keys before they reach a row: AES-256-GCM under the store key (<see cref="StoreOptions.SealingKey"/>,
/// kept outside the database), so a dump or backup of the database alone gives no key away. Secrets the store only
/// has to recognize (authtokens, API keys) are digested instead (<see cref="SecretGenerator.Digest"/>); these have to
/// come back, so they are encrypted.
/// </summary>
/// <remarks>
/// Text form: <c>v1:</c> and base64 of nonce (12 bytes), tag (16) and ciphertext. The row's identity is the
/// associated data, so a sealed value copied into another row does not open there.
/// </remarks>
internal sealed class SecretSealer
{
    private const string Prefix = "v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly Func<byte[]>? _loadKey;
    private readonly Lock _gate = new();
    private byte[]? _key;

    public SecretSealer(Func<byte[]>? loadKey)
    {
        _loadKey = loadKey;
    }

    public string Seal(string secret, string context)
    {
        byte[] plain = Encoding.UTF8.GetBytes(secret);
        byte[] sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        Span<byte> nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(Key(), TagSize))
        {
            aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(context));
        }

        CryptographicOperations.ZeroMemory(plain);
        return Prefix + Convert.ToBase64String(sealedBytes);
    }

    public string Open(string sealedText, string context)
    {
        byte[] sealedBytes;
        try
        {
            sealedBytes = sealedText.StartsWith(Prefix, StringComparison.Ordinal) ? Convert.FromBase64String(sealedText[Prefix.Length..]) : [];
        }
        catch (FormatException)
        {
            sealedBytes = [];
        }

        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new StoreException(StoreErrorKind.CannotUnseal, $"The sealed private key of {context} is malformed.");
        }

        byte[] plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(Key(), TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(context));
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new StoreException(StoreErrorKind.CannotUnseal,
                $"The private key of {context} was sealed with another store key: give every edge sharing the database the same store key.", ex);
        }

        try
        {
            return Encoding.UTF8.GetString(plain);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private byte[] Key()
    {
        lock (_gate)
        {
            if (_key is null)
            {
                byte[] key = _loadKey?.Invoke()
                    ?? throw new StoreException(StoreErrorKind.Invalid, "This store has no sealing key (StoreOptions.SealingKey): it cannot keep private keys.");
                if (key.Length != 32)
                {
                    throw new StoreException(StoreErrorKind.Invalid, "The store's sealing key must be 32 bytes.");
                }

                _key = key;
            }

            return _key;
        }
    }
}

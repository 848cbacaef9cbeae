using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Policy.Identity;

/// <summary>
/// The edge-wide secret that seals the oidc action's cookies (the session, and the state of a
/// sign-in in progress) with AES-GCM: a visitor can neither read the claims in them nor change
/// them. The key lives in the edge's data directory, so sessions survive an edge restart; the
/// purpose of each cookie is bound in as associated data, so one cookie cannot pass for another.
/// </summary>
internal sealed partial class OidcKeys
{
    private const string KeyFile = "oidc-cookie.key";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    private OidcKeys(byte[] key)
    {
        _key = key;
    }

    /// <summary>Loads the key from <paramref name="dataDirectory"/>, creating it on first use; a key only for this process when the directory cannot hold it.</summary>
    public static OidcKeys Load(string dataDirectory, ILogger logger)
    {
        (byte[] key, string? notKept) = Certificates.DataDirectoryKey.LoadOrCreate(dataDirectory, KeyFile);
        if (notKept is not null)
        {
            Log.KeyNotKept(logger, notKept);
        }

        return new OidcKeys(key);
    }

    /// <summary>Keys from the given 32 bytes (tests; an edge uses <see cref="Load"/>).</summary>
    public static OidcKeys FromKey(byte[] key) =>
        key is { Length: 32 } ? new OidcKeys((byte[])key.Clone()) : throw new ArgumentException("An oidc cookie key is 32 bytes.", nameof(key));

    /// <summary>Encrypts and authenticates <paramref name="plaintext"/> for <paramref name="purpose"/>; base64url, cookie-safe.</summary>
    public string Seal(string plaintext, string purpose)
    {
        byte[] data = Encoding.UTF8.GetBytes(plaintext);
        byte[] sealedBytes = new byte[NonceSize + data.Length + TagSize];
        Span<byte> nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, data, sealedBytes.AsSpan(NonceSize, data.Length), sealedBytes.AsSpan(NonceSize + data.Length), Encoding.UTF8.GetBytes(purpose));
        return Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>The plaintext sealed for <paramref name="purpose"/> by this key; null for anything else (changed, truncated, another key or purpose).</summary>
    public string? Open(string sealedText, string purpose)
    {
        // Cookies are capped near 4 KiB by browsers; anything far larger is not ours.
        if (sealedText.Length > 16 * 1024)
        {
            return null;
        }

        byte[] sealedBytes;
        try
        {
            sealedBytes = Base64Url.DecodeFromChars(sealedText);
        }
        catch (FormatException)
        {
            return null;
        }

        if (sealedBytes.Length < NonceSize + TagSize)
        {
            return null;
        }

        int length = sealedBytes.Length - NonceSize - TagSize;
        byte[] data = new byte[length];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), data, Encoding.UTF8.GetBytes(purpose));
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }

        return Encoding.UTF8.GetString(data);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1925, EventName = "OidcCookieKeyNotKept", Level = LogLevel.Warning,
            Message = "Could not keep the oidc cookie key in {Reason}; oidc sign-ins work, but end when this edge restarts")]
        public static partial void KeyNotKept(ILogger logger, string reason);
    }
}

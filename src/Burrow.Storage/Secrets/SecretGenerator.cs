using System.Security.Cryptography;
using System.Text;

namespace Burrow.Storage.Secrets;

/// <summary>Random secrets and ids, and the digests secrets are stored as.</summary>
internal static class SecretGenerator
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>How many characters of a secret are kept as its hint (e.g. <c>brw_ab12</c>).</summary>
    public const int HintLength = 8;

    /// <summary>A secret: the prefix and 40 base-62 characters (238 bits), so a digest without salt is enough.</summary>
    public static string NewSecret(string prefix) => prefix + RandomNumberGenerator.GetString(Base62, 40);

    /// <summary>An id: the prefix and 16 base-62 characters; not a secret, only unique.</summary>
    public static string NewId(string prefix) => prefix + RandomNumberGenerator.GetString(Base62, 16);

    /// <summary>The SHA-256 digest of a secret, lowercase hex: what the database keeps and is searched by.</summary>
    public static string Digest(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Compares two digests in fixed time.</summary>
    public static bool DigestsEqual(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    public static string Hint(string secret) => secret.Length <= HintLength ? secret : secret[..HintLength];
}

using System.Security.Cryptography;

namespace Burrow.Edge.Policy.Webhooks;

/// <summary>The HMAC hash functions webhook schemes use.</summary>
internal enum HmacAlgorithm
{
    Sha1,
    Sha256,
    Sha512,
}

internal static class HmacAlgorithms
{
    public const int MaxHashSize = 64;

    public static int HashSize(this HmacAlgorithm algorithm) => algorithm switch
    {
        HmacAlgorithm.Sha1 => 20,
        HmacAlgorithm.Sha256 => 32,
        _ => 64,
    };

    public static HashAlgorithmName HashName(this HmacAlgorithm algorithm) => algorithm switch
    {
        HmacAlgorithm.Sha1 => HashAlgorithmName.SHA1,
        HmacAlgorithm.Sha256 => HashAlgorithmName.SHA256,
        _ => HashAlgorithmName.SHA512,
    };

    public static bool TryParse(string? name, out HmacAlgorithm algorithm)
    {
        switch (name?.Trim().ToUpperInvariant())
        {
            case "SHA1":
                algorithm = HmacAlgorithm.Sha1;
                return true;
            case "SHA256":
                algorithm = HmacAlgorithm.Sha256;
                return true;
            case "SHA512":
                algorithm = HmacAlgorithm.Sha512;
                return true;
            default:
                algorithm = default;
                return false;
        }
    }
}

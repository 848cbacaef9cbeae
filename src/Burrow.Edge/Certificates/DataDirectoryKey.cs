using System.Security.Cryptography;

namespace Burrow.Edge.Certificates;

/// <summary>
/// A 32-byte secret the edge keeps in its data directory (the oidc cookie key, the ngrok bind-token key): read back
/// on restart so what it sealed stays valid, created owner-only on first use.
/// </summary>
internal static class DataDirectoryKey
{
    public const int Length = 32;

    /// <summary>
    /// The key in <paramref name="fileName"/> under <paramref name="dataDirectory"/>, created there when absent. When
    /// the directory cannot hold it, a key for this process only and the reason, for the caller to say what that costs.
    /// </summary>
    public static (byte[] Key, string? NotKept) LoadOrCreate(string dataDirectory, string fileName)
    {
        string path = Path.Combine(dataDirectory, fileName);
        try
        {
            if (File.Exists(path) && File.ReadAllBytes(path) is { Length: Length } existing)
            {
                return (existing, null);
            }

            byte[] key = RandomNumberGenerator.GetBytes(Length);
            Directory.CreateDirectory(dataDirectory);
            OwnerOnlyFile.WriteAllBytes(path, key);
            return (key, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (RandomNumberGenerator.GetBytes(Length), $"{path}: {ex.Message}");
        }
    }
}

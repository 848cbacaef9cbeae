namespace Burrow.Storage;

/// <summary>The key a certificate is stored under: its names, lowercase, without a trailing dot, sorted, comma-separated.</summary>
public static class CertificateNames
{
    /// <summary>The key for a set of names, in any order and case.</summary>
    public static string Key(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        string[] sorted = [.. names.Select(n => n.Trim().TrimEnd('.').ToLowerInvariant()).Where(n => n.Length > 0).Distinct().Order(StringComparer.Ordinal)];
        if (sorted.Length == 0)
        {
            throw new StoreException(StoreErrorKind.Invalid, "A certificate needs at least one name.");
        }

        return string.Join(',', sorted);
    }

    /// <summary>The names of a key.</summary>
    public static IReadOnlyList<string> Split(string key) => key.Split(',');
}

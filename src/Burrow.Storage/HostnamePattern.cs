namespace Burrow.Storage;

/// <summary>
/// The hostname patterns of <see cref="AuthtokenScopes.Hostnames"/>: <c>demo.example.com</c> (that
/// name), <c>*.alice.example.com</c> (any name ending in <c>.alice.example.com</c>, one label or
/// more in front), or <c>demo</c> (that label directly under the edge's base domain).
/// Comparison ignores case.
/// </summary>
public static class HostnamePattern
{
    /// <summary>Whether <paramref name="pattern"/> is one of the three forms, made of DNS labels.</summary>
    public static bool IsValid(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern) || pattern.Length > 253)
        {
            return false;
        }

        string rest = pattern.StartsWith("*.", StringComparison.Ordinal) ? pattern[2..] : pattern;
        if (rest.Length == 0)
        {
            return false;
        }

        foreach (string label in rest.Split('.'))
        {
            if (!IsLabel(label))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="hostname"/> matches <paramref name="pattern"/> on an edge serving <paramref name="baseDomain"/>.</summary>
    public static bool Matches(string pattern, string hostname, string baseDomain)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(hostname);
        ArgumentNullException.ThrowIfNull(baseDomain);
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            string suffix = pattern[1..];
            return hostname.Length > suffix.Length && hostname.EndsWith(suffix, StringComparison.OrdinalIgnoreCase);
        }

        if (!pattern.Contains('.', StringComparison.Ordinal))
        {
            return string.Equals(hostname, $"{pattern}.{baseDomain}", StringComparison.OrdinalIgnoreCase);
        }

        return string.Equals(hostname, pattern, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether any of <paramref name="patterns"/> matches; an empty list matches every hostname.</summary>
    public static bool AnyMatches(IReadOnlyList<string> patterns, string hostname, string baseDomain)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        return patterns.Count == 0 || patterns.Any(p => Matches(p, hostname, baseDomain));
    }

    private static bool IsLabel(string label) =>
        label.Length is > 0 and <= 63
        && label[0] != '-' && label[^1] != '-'
        && label.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-');
}

using System.Diagnostics.CodeAnalysis;
using Burrow.Protocol.Errors;

namespace Burrow.Protocol.Validation;

/// <summary>
/// Checks requested subdomains and hostnames (RFC 1123 names, in lowercase) before the edge looks
/// at who owns them.
/// </summary>
public static class HostNames
{
    /// <summary>The longest DNS label.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>The longest hostname, without a trailing dot.</summary>
    public const int MaxHostnameLength = 253;

    /// <summary>Whether <paramref name="label"/> is a lowercase RFC 1123 label: 1 to 63 of a-z, 0-9 and '-', no hyphen at either end.</summary>
    /// <param name="label">The candidate label.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidLabel(ReadOnlySpan<char> label) => CheckLabel(label, allowUppercase: false) is null;

    /// <summary>Whether <paramref name="hostname"/> is a valid lowercase hostname; see <see cref="TryValidateHostname"/>.</summary>
    /// <param name="hostname">The candidate hostname.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidHostname(string? hostname) => CheckHostname(hostname, allowUppercase: false) is null;

    /// <summary>Checks the <c>subdomain</c> of a bind: one lowercase label.</summary>
    /// <param name="subdomain">The requested subdomain, for example <c>my-app</c>.</param>
    /// <param name="error">An <c>ERR_BURROW_2003</c> error saying what is wrong, when invalid.</param>
    /// <returns>Whether the subdomain is valid.</returns>
    public static bool TryValidateSubdomain(string? subdomain, [NotNullWhen(false)] out ProtocolError? error)
    {
        string? reason = string.IsNullOrEmpty(subdomain) ? "it is empty"
            : subdomain.Contains('.', StringComparison.Ordinal) ? "it must be a single label without dots; use hostname for a full name"
            : CheckLabel(subdomain, allowUppercase: false);
        error = reason is null ? null : ErrorCodes.InvalidSubdomain.ToError(ErrorText.Clean(subdomain ?? ""), reason);
        return error is null;
    }

    /// <summary>
    /// Checks the <c>hostname</c> of a bind: lowercase labels of 1 to 63 characters, 253 characters
    /// at most, with no scheme, port, path or trailing dot, and not an IP address.
    /// </summary>
    /// <param name="hostname">The requested hostname, for example <c>app.example.com</c>.</param>
    /// <param name="error">An <c>ERR_BURROW_2008</c> error saying what is wrong, when invalid.</param>
    /// <returns>Whether the hostname is valid.</returns>
    public static bool TryValidateHostname(string? hostname, [NotNullWhen(false)] out ProtocolError? error)
    {
        string? reason = CheckHostname(hostname, allowUppercase: false);
        error = reason is null ? null : ErrorCodes.InvalidHostname.ToError(ErrorText.Clean(hostname ?? ""), reason);
        return error is null;
    }

    /// <summary>Why <paramref name="hostname"/> is not a valid hostname, or <see langword="null"/>.</summary>
    internal static string? CheckHostname(string? hostname, bool allowUppercase)
    {
        if (string.IsNullOrEmpty(hostname))
        {
            return "it is empty";
        }

        if (hostname.Contains("://", StringComparison.Ordinal))
        {
            return "give the hostname without a scheme such as https://";
        }

        if (hostname.Contains('/', StringComparison.Ordinal))
        {
            return "give the hostname without a path";
        }

        if (hostname.Contains(':', StringComparison.Ordinal))
        {
            return "give the hostname without a port";
        }

        if (hostname.Length > MaxHostnameLength)
        {
            return $"it is longer than {MaxHostnameLength} characters";
        }

        if (hostname.EndsWith('.'))
        {
            return "remove the trailing dot";
        }

        if (!allowUppercase && hostname.Any(char.IsAsciiLetterUpper))
        {
            return $"it must be lowercase (try '{hostname.ToLowerInvariant()}')";
        }

        int lastDot = hostname.LastIndexOf('.');
        if (hostname.AsSpan(lastDot + 1).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            return "the last label is all digits; an IP address is not a hostname";
        }

        foreach (Range range in hostname.AsSpan().Split('.'))
        {
            string? reason = CheckLabel(hostname.AsSpan()[range], allowUppercase);
            if (reason is not null)
            {
                return $"label '{ErrorText.Clean(hostname[range])}': {reason}";
            }
        }

        return null;
    }

    /// <summary>Why <paramref name="label"/> is not a valid label, or <see langword="null"/>.</summary>
    internal static string? CheckLabel(ReadOnlySpan<char> label, bool allowUppercase)
    {
        if (label.IsEmpty)
        {
            return "it is empty";
        }

        if (label.Length > MaxLabelLength)
        {
            return $"it is longer than {MaxLabelLength} characters";
        }

        foreach (char c in label)
        {
            if (char.IsAsciiLetterUpper(c) && !allowUppercase)
            {
                return $"it must be lowercase (try '{label.ToString().ToLowerInvariant()}')";
            }

            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                string shown = char.IsControl(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : $"'{c}'";
                return $"the character {shown} is not allowed; use a-z, 0-9 and '-'";
            }
        }

        return label[0] == '-' || label[^1] == '-' ? "it must not start or end with '-'" : null;
    }
}

using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Protocol.Validation;

/// <summary>Checks header names for the header rules of <see cref="EndpointOptions"/>.</summary>
public static class HeaderNames
{
    /// <summary>The longest header name accepted in a rule.</summary>
    public const int MaxNameLength = 256;

    // Framing and hop-by-hop headers belong to the proxies on the path: adding or removing them
    // would corrupt the message (Content-Length, Transfer-Encoding) or the connection. Host has
    // its own option, host_header.
    private static readonly FrozenSet<string> ManagedByProxy = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "host", "content-length", "transfer-encoding", "connection", "keep-alive",
        "proxy-connection", "te", "trailer", "upgrade");

    /// <summary>Whether <paramref name="name"/> is an HTTP token (RFC 9110 §5.6.2) and so a valid header name.</summary>
    /// <param name="name">The candidate name.</param>
    /// <returns><see langword="true"/> for a non-empty token.</returns>
    public static bool IsToken(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !"!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether rules may not touch <paramref name="name"/> because the proxies manage it (Host, Content-Length, Connection...).</summary>
    /// <param name="name">A header name.</param>
    /// <returns><see langword="true"/> for framing, hop-by-hop and Host headers.</returns>
    public static bool IsManagedByProxy(string name) => ManagedByProxy.Contains(name);

    /// <summary>Checks one entry of a <c>*_header_remove</c> list.</summary>
    /// <param name="value">The header name.</param>
    /// <param name="error">An <c>ERR_BURROW_2004</c> error naming the value, when invalid.</param>
    /// <param name="option">The option name used in the error, for example <c>request_header_remove[0]</c>.</param>
    /// <returns>Whether the name may be removed.</returns>
    public static bool TryValidateRemoval(
        string? value,
        [NotNullWhen(false)] out ProtocolError? error,
        string option = "header_remove")
    {
        error = CheckName(value, option);
        return error is null;
    }

    /// <summary>Checks a header name for a rule; <see langword="null"/> when valid.</summary>
    internal static ProtocolError? CheckName(string? name, string option)
    {
        string? reason = NameProblem(name);
        return reason is null ? null : ErrorCodes.InvalidOptionValue.ToError($"{option} {ErrorText.Quote(name)}", reason);
    }

    /// <summary>Why <paramref name="name"/> cannot be used in a rule, or <see langword="null"/>.</summary>
    internal static string? NameProblem(string? name) =>
        string.IsNullOrEmpty(name) ? "the header name is empty"
        : name.Length > MaxNameLength ? $"the header name is longer than {MaxNameLength} characters"
        : !IsToken(name) ? "the header name may contain only letters, digits and !#$%&'*+-.^_`|~"
        : IsManagedByProxy(name) ? $"{name} is managed by the proxy and cannot be changed by a rule"
        : null;
}

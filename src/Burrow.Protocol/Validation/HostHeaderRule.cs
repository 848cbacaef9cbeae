using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Protocol.Validation;

/// <summary>The parsed <see cref="EndpointOptions.HostHeader"/>.</summary>
public sealed record HostHeaderRule
{
    /// <summary>The default rule: keep the public Host.</summary>
    public static HostHeaderRule Preserve { get; } = new() { Mode = HostHeaderMode.Preserve };

    /// <summary>The rule that sends the upstream's address.</summary>
    public static HostHeaderRule Rewrite { get; } = new() { Mode = HostHeaderMode.Rewrite };

    /// <summary>What to do with Host.</summary>
    public required HostHeaderMode Mode { get; init; }

    /// <summary>The Host to send when <see cref="Mode"/> is <see cref="HostHeaderMode.Literal"/>; otherwise <see langword="null"/>.</summary>
    public string? Value { get; init; }

    /// <summary>
    /// Parses the option: <see langword="null"/> or empty means <c>preserve</c>; <c>rewrite</c> and
    /// <c>preserve</c> are keywords (in any case); anything else must be a literal
    /// <c>host[:port]</c>, where host is a hostname, an IPv4 address or a bracketed IPv6 address.
    /// </summary>
    /// <param name="value">The option value.</param>
    /// <param name="rule">The rule, when valid.</param>
    /// <param name="error">An <c>ERR_BURROW_2004</c> error naming the value, when not.</param>
    /// <returns>Whether the value is valid.</returns>
    public static bool TryParse(
        string? value,
        [NotNullWhen(true)] out HostHeaderRule? rule,
        [NotNullWhen(false)] out ProtocolError? error)
    {
        error = null;
        if (string.IsNullOrEmpty(value) || value.Equals(HostHeaderValues.Preserve, StringComparison.OrdinalIgnoreCase))
        {
            rule = Preserve;
            return true;
        }

        if (value.Equals(HostHeaderValues.Rewrite, StringComparison.OrdinalIgnoreCase))
        {
            rule = Rewrite;
            return true;
        }

        string? reason = CheckHostAndPort(value);
        if (reason is not null)
        {
            rule = null;
            error = ErrorCodes.InvalidOptionValue.ToError(
                $"host_header {ErrorText.Quote(value)}", $"expected rewrite, preserve or host[:port]; {reason}");
            return false;
        }

        rule = new HostHeaderRule { Mode = HostHeaderMode.Literal, Value = value };
        return true;
    }

    private static string? CheckHostAndPort(string value)
    {
        if (value.Contains("://", StringComparison.Ordinal))
        {
            return "give the host without a scheme such as http://";
        }

        string host = value;
        string? port = null;
        if (value.StartsWith('['))
        {
            int close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(value.AsSpan(1, close - 1), out IPAddress? v6)
                || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return "the bracketed part is not an IPv6 address";
            }

            if (close == value.Length - 1)
            {
                return null;
            }

            if (value[close + 1] != ':')
            {
                return "expected :port after the IPv6 address";
            }

            port = value[(close + 2)..];
        }
        else
        {
            int colon = value.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                host = value[..colon];
                port = value[(colon + 1)..];
            }

            if (!CidrNotation.IsDottedQuad(host))
            {
                string? hostReason = HostNames.CheckHostname(host, allowUppercase: true);
                if (hostReason is not null)
                {
                    return $"the host is not valid: {hostReason}";
                }
            }
        }

        if (port is not null
            && (port.Length is < 1 or > 5
                || !port.All(char.IsAsciiDigit)
                || int.Parse(port, NumberStyles.None, CultureInfo.InvariantCulture) is < 1 or > 65535))
        {
            return "the port must be a number from 1 to 65535";
        }

        return null;
    }
}

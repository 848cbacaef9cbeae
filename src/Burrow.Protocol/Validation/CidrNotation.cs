using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Protocol.Validation;

/// <summary>Parses the CIDR rules of <see cref="EndpointOptions.CidrAllow"/> and <see cref="EndpointOptions.CidrDeny"/>.</summary>
public static class CidrNotation
{
    /// <summary>
    /// Parses <c>10.0.0.0/8</c>, <c>2001:db8::/32</c>, or a bare address (a /32 or /128 range).
    /// </summary>
    /// <remarks>
    /// Stricter than <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> about the address:
    /// IPv4 must be four decimal parts without leading zeros, because forms such as <c>10/8</c>
    /// or <c>10.1</c> parse to ranges nobody meant (<c>0.0.0.0/8</c>, <c>10.0.0.1</c>). Host bits
    /// after the prefix are cleared, as most firewalls do: <c>10.1.2.3/8</c> is <c>10.0.0.0/8</c>.
    /// IPv6 zone ids (<c>%eth0</c>) are refused.
    /// </remarks>
    /// <param name="value">The rule; surrounding white space is ignored.</param>
    /// <param name="network">The range, when valid.</param>
    /// <param name="error">An <c>ERR_BURROW_2004</c> error naming the value, when not.</param>
    /// <param name="option">The option name used in the error, for example <c>cidr_allow[0]</c>.</param>
    /// <returns>Whether the value is valid.</returns>
    public static bool TryParse(
        string? value,
        out IPNetwork network,
        [NotNullWhen(false)] out ProtocolError? error,
        string option = "cidr rule")
    {
        network = default;
        string text = value?.Trim() ?? "";
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? text : text[..slash];
        if (!TryParseAddress(addressText, out IPAddress? address))
        {
            error = Invalid(option, value, "not an IPv4 or IPv6 address or CIDR range such as 10.0.0.0/8 or 2001:db8::/32");
            return false;
        }

        int maxBits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = maxBits;
        if (slash >= 0)
        {
            string prefixText = text[(slash + 1)..];
            if (prefixText.Length is < 1 or > 3
                || !prefixText.All(char.IsAsciiDigit)
                || (prefix = int.Parse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture)) > maxBits)
            {
                error = Invalid(option, value, $"the prefix length must be a number from 0 to {maxBits}");
                return false;
            }
        }

        if (!IPNetwork.TryParse(string.Create(CultureInfo.InvariantCulture, $"{address}/{prefix}"), out network))
        {
            error = Invalid(option, value, "not a valid CIDR range");
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryParseAddress(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return !text.Contains('%', StringComparison.Ordinal)
                && !text.Contains('[', StringComparison.Ordinal)
                && IPAddress.TryParse(text, out address)
                && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return IsDottedQuad(text) && IPAddress.TryParse(text, out address);
    }

    /// <summary>Whether <paramref name="text"/> is an IPv4 address as four decimal parts without leading zeros.</summary>
    internal static bool IsDottedQuad(string text)
    {
        string[] parts = text.Split('.');
        return parts.Length == 4 && parts.All(static part =>
            part.Length is >= 1 and <= 3
            && part.All(char.IsAsciiDigit)
            && (part.Length == 1 || part[0] != '0')
            && int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture) <= 255);
    }

    private static ProtocolError Invalid(string option, string? value, string reason) =>
        ErrorCodes.InvalidOptionValue.ToError($"{option} {ErrorText.Quote(value)}", reason);
}

using System.Net;
using System.Net.Sockets;

namespace Burrow.Edge.Policy.Expressions.Runtime;

/// <summary>
/// ngrok's <c>inCidrRange</c> / <c>inCidrRanges</c>. Addresses and ranges are compared within one family:
/// an IPv4-mapped IPv6 address (<c>::ffff:10.1.2.3</c>, what a dual-stack socket reports) counts as the
/// IPv4 address it carries, and a range written in mapped form counts as the IPv4 range it covers.
/// </summary>
internal static class CelCidr
{
    /// <summary>
    /// Parses <c>address/prefix</c>. Host bits are allowed and masked off (as Go's ParseCIDR does), since
    /// users write <c>10.1.2.3/8</c>; <see cref="IPNetwork.TryParse(string?, out IPNetwork)"/> would refuse it.
    /// </summary>
    public static bool TryParse(string text, out IPNetwork network)
    {
        network = default;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !IPAddress.TryParse(text.AsSpan(0, slash), out IPAddress? address)
            || !int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int prefix))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            return false;
        }

        int bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix > bits)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6 && prefix >= 96)
        {
            address = address.MapToIPv4();
            prefix -= 96;
        }

        network = new IPNetwork(Mask(address, prefix), prefix);
        return true;
    }

    public static IPNetwork Parse(string text) =>
        TryParse(text, out IPNetwork network) ? network : throw new CelEvaluationException($"inCidrRange: '{text}' is not a CIDR range");

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        bytes = bytes[..length];
        for (int i = 0; i < length; i++)
        {
            int keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF00 >> keep);
        }

        return new IPAddress(bytes);
    }

    /// <summary>The address the string names, mapped IPv6 unwrapped to IPv4; null when it is not an address.</summary>
    public static IPAddress? ParseAddress(string text)
    {
        if (!IPAddress.TryParse(text, out IPAddress? address))
        {
            return null;
        }

        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    public static bool Contains(IPNetwork network, IPAddress? address) =>
        address is not null && address.AddressFamily == network.BaseAddress.AddressFamily && network.Contains(address);
}

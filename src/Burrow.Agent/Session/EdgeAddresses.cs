using System.Net;

namespace Burrow.Agent.Session;

/// <summary>
/// Resolves the edge's host name. <c>localhost</c> and every name under <c>.localhost</c> are loopback by RFC 6761
/// (§6.3): curl and browsers answer them without asking DNS, and so must the agent, or the command an edge with
/// <c>--domain tunnel.localhost</c> prints would fail with "Name or service not known".
/// </summary>
internal static class EdgeAddresses
{
    private static readonly IPAddress[] Loopback = [IPAddress.Loopback, IPAddress.IPv6Loopback];

    public static bool IsLocalhostName(string host)
    {
        string name = host.TrimEnd('.');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }

    public static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return [literal];
        }

        return IsLocalhostName(host)
            ? Loopback
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
    }
}

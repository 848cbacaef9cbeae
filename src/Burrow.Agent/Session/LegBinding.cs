using Burrow.Protocol.Messages;

namespace Burrow.Agent.Session;

/// <summary>
/// What an extra leg asks the edge for when it binds a tunnel: the hostname (http, tls) or the port (tcp) of the URL
/// the first leg got, so that every leg serves the one URL, random names included.
/// </summary>
internal static class LegBinding
{
    /// <summary>The name to bind on another leg, or <see langword="null"/> while the tunnel has no URL yet.</summary>
    public static (string? Hostname, int? Port)? SameNameAs(ActiveTunnel tunnel)
    {
        if (tunnel.Urls is not [{ } first, ..] || !Uri.TryCreate(first, UriKind.Absolute, out Uri? url))
        {
            return null;
        }

        return tunnel.Definition.Proto == TunnelProtocols.Tcp ? (null, url.Port) : (url.Host, null);
    }
}

using System.Net;
using Burrow.Protocol.Validation;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Policy;

/// <summary>
/// The access rules of one tunnel, checked at the edge before a byte reaches the agent: CIDR
/// allow/deny on the connection's address (never a forwarded header), then basic auth.
/// </summary>
internal sealed class TunnelPolicy
{
    private readonly ValidatedEndpointOptions _options;

    public TunnelPolicy(ValidatedEndpointOptions options)
    {
        _options = options;
    }

    public bool RequiresBasicAuth => _options.BasicAuth.Count > 0;

    /// <summary>Whether the client address may reach the tunnel; deny wins over allow, and an empty allow list allows all.</summary>
    public bool IsAddressAllowed(IPAddress? address)
    {
        if (_options.CidrAllow.Count == 0 && _options.CidrDeny.Count == 0)
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (IPNetwork network in _options.CidrDeny)
        {
            if (network.Contains(address))
            {
                return false;
            }
        }

        if (_options.CidrAllow.Count == 0)
        {
            return true;
        }

        foreach (IPNetwork network in _options.CidrAllow)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the request carries credentials that match one of the tunnel's basic-auth entries.</summary>
    public bool IsAuthorized(HttpRequest request)
    {
        if (!RequiresBasicAuth)
        {
            return true;
        }

        return BasicAuthCheck.Matches(_options.BasicAuth, request.Headers.Authorization);
    }
}

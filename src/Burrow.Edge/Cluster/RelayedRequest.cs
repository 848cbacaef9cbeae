using System.Net;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Cluster;

/// <summary>
/// The per-request facts an entry node passes with each HTTP request it carries to the owner node: one relayed
/// connection is pooled and carries requests of many clients, so the client's address and scheme travel as headers,
/// set by the entry node (over whatever a client sent) and trusted by the owner only on its relay listener.
/// </summary>
internal static class RelayedRequest
{
    public const string ClientHeader = "Burrow-Relayed-Client";
    public const string SchemeHeader = "Burrow-Relayed-Scheme";

    /// <summary>At the entry node: the client's facts onto the request that goes to the owner node.</summary>
    public static void Stamp(HttpContext context, System.Net.Http.HttpRequestMessage proxyRequest)
    {
        proxyRequest.Headers.Remove(ClientHeader);
        proxyRequest.Headers.Remove(SchemeHeader);
        IPAddress? ip = context.Connection.RemoteIpAddress;
        if (ip is { IsIPv4MappedToIPv6: true })
        {
            ip = ip.MapToIPv4();
        }

        if (ip is not null)
        {
            proxyRequest.Headers.TryAddWithoutValidation(ClientHeader, new IPEndPoint(ip, context.Connection.RemotePort).ToString());
        }

        proxyRequest.Headers.TryAddWithoutValidation(SchemeHeader, context.Request.Scheme);
    }

    /// <summary>At the owner node, on a relayed connection: makes the request look as it did at the entry node, and drops the headers.</summary>
    public static void Apply(HttpContext context)
    {
        IHeaderDictionary headers = context.Request.Headers;
        if (IPEndPoint.TryParse(headers[ClientHeader].ToString(), out IPEndPoint? client))
        {
            context.Connection.RemoteIpAddress = client.Address;
            context.Connection.RemotePort = client.Port;
        }

        string scheme = headers[SchemeHeader].ToString();
        if (scheme is "https" or "http")
        {
            context.Request.Scheme = scheme;
        }

        headers.Remove(ClientHeader);
        headers.Remove(SchemeHeader);
    }
}

using Burrow.Edge.Routing;
using Burrow.Protocol.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Connections.Features;

namespace Burrow.Edge.Tls;

/// <summary>
/// The per-request half of mutual TLS for http tunnels: a request for such a tunnel goes on only when its connection's
/// handshake named that tunnel and validated a client certificate against its CAs.
/// </summary>
internal static class ClientCertificateGate
{
    /// <summary><see langword="null"/> when the request may go on; otherwise the code and message to answer with.</summary>
    public static (ErrorCode Code, string Message)? Check(HttpContext context, Tunnel tunnel, TunnelMutualTls mutualTls)
    {
        string client = ClientAddress(context);
        if (context.Features.Get<ITlsHandshakeFeature>() is not { } tls)
        {
            return Refused(client, "the request came over plain HTTP; this tunnel takes https:// requests with a client certificate");
        }

        HandshakeClientCertificate? record = HandshakeClientCertificate.Of(context);
        if (record is null || !string.Equals(record.Tunnel.Hostname, tunnel.Hostname, StringComparison.OrdinalIgnoreCase))
        {
            string? handshakeName = record?.Tunnel.Hostname ?? tls.HostName;
            if (string.IsNullOrEmpty(handshakeName))
            {
                return Refused(client, "the TLS handshake named no server (SNI), so no client certificate was asked for; connect to the tunnel by its name");
            }

            // Another name's connection (HTTP/2 reuse across names sharing a certificate): 421 sends the client to a new one.
            return (ErrorCodes.MisdirectedRequest, ErrorCodes.MisdirectedRequest.FormatMessage(handshakeName, tunnel.Hostname));
        }

        return record.RefusalFor(tunnel, mutualTls) is { } reason ? Refused(client, reason) : null;
    }

    private static (ErrorCode, string) Refused(string client, string reason) =>
        (ErrorCodes.ClientCertificateRefused, ErrorCodes.ClientCertificateRefused.FormatMessage(client, reason));

    private static string ClientAddress(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip
            ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString()
            : "unknown";
}

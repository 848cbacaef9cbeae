using System.Text.Json.Serialization;
using Burrow.Protocol.Codec;

namespace Burrow.Protocol.Messages;

/// <summary>
/// Edge → agent, the first and only message on a proxy stream, which the edge opens for each
/// public connection. Raw bytes of that connection follow it until FIN or RST.
/// </summary>
/// <remarks>
/// Read it with a <see cref="ControlMessageReader"/>, which never reads past the end of the
/// message, so the bytes after it stay in the stream for the forwarder.
/// </remarks>
public sealed record ProxyHeader : ControlMessage
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Type => MessageTypes.Proxy;

    /// <summary>The tunnel the connection arrived for.</summary>
    public required string TunnelId { get; init; }

    /// <summary>The public client's address as <c>ip:port</c> (<c>[ip]:port</c> for IPv6).</summary>
    public required string ClientAddr { get; init; }

    /// <summary>
    /// The edge address the client connected to, as <c>ip:port</c> (<c>[ip]:port</c> for IPv6), for tcp and tls
    /// tunnels; the agent puts it in the PROXY protocol header as the destination. Absent from older edges.
    /// </summary>
    public string? ServerAddr { get; init; }

    /// <summary>The tunnel's protocol: <c>http</c>, <c>tcp</c> or <c>tls</c>.</summary>
    public required string Proto { get; init; }

    /// <summary>The server name the client asked for in its TLS ClientHello, when there was one.</summary>
    public string? Sni { get; init; }

    /// <summary>The client's TLS connection to the edge; absent when the client spoke plain TCP or HTTP.</summary>
    public ProxyTlsInfo? Tls { get; init; }
}

namespace Burrow.Protocol.Messages;

/// <summary>What the edge knows about the public client's TLS connection, in <see cref="ProxyHeader.Tls"/>.</summary>
public sealed record ProxyTlsInfo
{
    /// <summary>
    /// Whether the edge terminated TLS (http tunnels, so the stream carries plain HTTP) or passed
    /// it through (tls tunnels, so the stream carries the client's TLS bytes).
    /// </summary>
    public bool Terminated { get; init; }

    /// <summary>The negotiated version, for example <c>TLSv1.3</c>, when the edge terminated TLS.</summary>
    public string? Version { get; init; }

    /// <summary>The negotiated ALPN protocol with the public client, for example <c>h2</c>, when known.</summary>
    public string? Alpn { get; init; }
}

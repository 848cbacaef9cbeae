namespace Burrow.Protocol.Messages;

/// <summary>What the edge knows about the public client's TLS connection, in <see cref="ProxyHeader.Tls"/>.</summary>
public sealed record ProxyTlsInfo
{
    /// <summary>
    /// Whether the edge terminated TLS (http tunnels, and tls tunnels with <c>terminate_at: edge</c>, so the stream
    /// carries plaintext) or passed it through (other tls tunnels, so the stream carries the client's TLS bytes).
    /// </summary>
    public bool Terminated { get; init; }

    /// <summary>The negotiated version, for example <c>TLSv1.3</c>, when the edge terminated TLS.</summary>
    public string? Version { get; init; }

    /// <summary>The negotiated ALPN protocol with the public client, for example <c>h2</c>, when known.</summary>
    public string? Alpn { get; init; }

    /// <summary>
    /// The client certificate the edge validated (mutual TLS), on proxy streams that carry one client connection: tls
    /// tunnels terminated at the edge. Absent otherwise; http tunnels' pooled proxy streams carry many clients' requests,
    /// so there it travels per request in the <c>X-Forwarded-Client-Cert</c> header instead.
    /// </summary>
    public ProxyClientCertificate? ClientCertificate { get; init; }
}

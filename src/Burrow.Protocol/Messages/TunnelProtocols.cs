namespace Burrow.Protocol.Messages;

/// <summary>The values of <c>proto</c> in <see cref="BindMessage"/> and <see cref="ProxyHeader"/>.</summary>
public static class TunnelProtocols
{
    /// <summary>HTTP and HTTPS, routed by Host; the edge terminates TLS and applies HTTP policy.</summary>
    public const string Http = "http";

    /// <summary>Raw TCP on a port of the edge.</summary>
    public const string Tcp = "tcp";

    /// <summary>TLS passed through untouched, routed by the SNI of the ClientHello.</summary>
    public const string Tls = "tls";

    /// <summary>Every tunnel protocol this version defines.</summary>
    public static IReadOnlyList<string> All { get; } = [Http, Tcp, Tls];

    /// <summary>Whether <paramref name="proto"/> is a tunnel protocol this version understands.</summary>
    /// <param name="proto">The raw value of the <c>proto</c> field.</param>
    /// <returns><see langword="true"/> for <c>http</c>, <c>tcp</c> and <c>tls</c>.</returns>
    public static bool IsKnown(string? proto) => proto is not null && All.Contains(proto, StringComparer.Ordinal);
}

using Burrow.Protocol.Messages;

namespace Burrow.Edge.Forwarding;

/// <summary>What the connect callback needs from the public request that opens a proxy stream; travels in the request's options.</summary>
internal sealed record ProxyClientInfo(string ClientAddress, string? ServerName, ProxyTlsInfo? Tls)
{
    public static readonly HttpRequestOptionsKey<ProxyClientInfo> Key = new("burrow.client");
}

namespace Burrow.Protocol.Messages;

/// <summary>The values of <see cref="EndpointOptions.TerminateAt"/> for tls tunnels (ngrok's <c>terminate_at</c>).</summary>
public static class TlsTerminations
{
    /// <summary>The edge terminates the client's TLS with its own certificate for the name; the stream carries plaintext.</summary>
    public const string Edge = "edge";

    /// <summary>The agent terminates it with the certificate it was given; to the edge this is pass-through.</summary>
    public const string Agent = "agent";

    /// <summary>The upstream terminates it; the default.</summary>
    public const string Upstream = "upstream";

    /// <summary>Every value this version defines.</summary>
    public static IReadOnlyList<string> All { get; } = [Edge, Agent, Upstream];
}

using System.Globalization;
using System.Net;

namespace Burrow.Edge.Cluster;

/// <summary>
/// How this edge takes part in a cluster (<c>burrow server --node-name</c>, docs/cluster.md). The timings are not flags:
/// they fix the registry's contract (a heartbeat every 2 s, gone 10 s after the last one), tests shorten them.
/// </summary>
public sealed record ClusterOptions
{
    /// <summary>The node's name, unique in the cluster: 1 to 63 letters, digits and hyphens (a DNS label, so it can name a certificate).</summary>
    public required string NodeName { get; init; }

    /// <summary>host:port the other nodes dial for the node link (<c>--node-addr</c>).</summary>
    public required string NodeAddress { get; init; }

    /// <summary>Where the node link listens (<c>--node-listen</c>); default the port of <see cref="NodeAddress"/> on its address when that is an IP, else on all addresses.</summary>
    public IPEndPoint? ListenEndPoint { get; init; }

    /// <summary>host:port agents dial for a leg on this node; default the host of <see cref="NodeAddress"/> and the agent listener's port.</summary>
    public string? AgentAddress { get; init; }

    /// <summary>An operator's cluster CA certificate (PEM, <c>--cluster-ca</c>); with <see cref="CertificatePath"/> and <see cref="KeyPath"/>. Default: a CA kept in the store.</summary>
    public string? CaCertificatePath { get; init; }

    /// <summary>This node's certificate (PEM, <c>--cluster-cert</c>), signed by <see cref="CaCertificatePath"/>, naming the node (DNS name).</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The private key of <see cref="CertificatePath"/> (PEM, <c>--cluster-key</c>).</summary>
    public string? KeyPath { get; init; }

    /// <summary>How often the node writes its heartbeat. Default 2 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long after its last heartbeat a node counts as gone (its name is free again). Default 10 s.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a node link is pinged (its RTT is what <c>burrow admin nodes</c> shows). Default 2 s.</summary>
    public TimeSpan LinkPingInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a link's ping may stay unanswered before the link is closed (and redialed). Default 5 s.</summary>
    public TimeSpan LinkPingTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long dialing a node (TCP and TLS) may take. Default 5 s.</summary>
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a node tells the others what its rate limits counted (<see cref="SharedRateCounts"/>): a limit can be
    /// passed by at most what reaches the other nodes within this time. Default 50 ms.
    /// </summary>
    public TimeSpan RateShareInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The ALPN protocol of the node link.</summary>
    public const string Alpn = "burrow-node/1";

    /// <summary>What is wrong with these settings, or <see langword="null"/>.</summary>
    public string? Validate()
    {
        if (!IsNodeName(NodeName))
        {
            return $"--node-name '{NodeName}' is not 1 to 63 letters, digits and hyphens (not starting or ending with one)";
        }

        if (!TrySplit(NodeAddress, out _, out _))
        {
            return $"--node-addr '{NodeAddress}' is not host:port";
        }

        if (AgentAddress is not null && !TrySplit(AgentAddress, out _, out _))
        {
            return $"the agent address '{AgentAddress}' is not host:port";
        }

        int given = (CaCertificatePath is null ? 0 : 1) + (CertificatePath is null ? 0 : 1) + (KeyPath is null ? 0 : 1);
        if (given is 1 or 2)
        {
            return "--cluster-ca, --cluster-cert and --cluster-key go together (give all three, or none for a CA kept in the store)";
        }

        return HeartbeatInterval <= TimeSpan.Zero || Lease < HeartbeatInterval * 2
            ? "the lease must be at least twice the heartbeat interval"
            : null;
    }

    /// <summary>The node link's listening address: <see cref="ListenEndPoint"/>, else derived from <see cref="NodeAddress"/>.</summary>
    public IPEndPoint EffectiveListenEndPoint()
    {
        if (ListenEndPoint is { } listen)
        {
            return listen;
        }

        TrySplit(NodeAddress, out string host, out int port);
        return new IPEndPoint(IPAddress.TryParse(host, out IPAddress? address) ? address : IPAddress.Any, port);
    }

    /// <summary>The address agents are given for this node: <see cref="AgentAddress"/>, else the node address's host with <paramref name="agentPort"/>.</summary>
    public string EffectiveAgentAddress(int agentPort)
    {
        if (AgentAddress is { } given)
        {
            return given;
        }

        TrySplit(NodeAddress, out string host, out _);
        return Join(host, agentPort);
    }

    /// <summary>Whether <paramref name="name"/> is a valid node name (a DNS label).</summary>
    public static bool IsNodeName(string? name) =>
        name is { Length: > 0 and <= 63 } && name[0] != '-' && name[^1] != '-' && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>Splits host:port ([v6]:port accepted).</summary>
    public static bool TrySplit(string? address, out string host, out int port)
    {
        host = "";
        port = 0;
        int colon = address?.LastIndexOf(':') ?? -1;
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            return false;
        }

        host = address![..colon].Trim('[', ']');
        return host.Length > 0;
    }

    private static string Join(string host, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}");
}

using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.Cluster.Tests.Harness;

/// <summary>One <c>burrow server --node-name</c> process of a <see cref="ClusterHarness"/>.</summary>
public sealed class ClusterNodeRun(string name, BurrowProcess process, string dataDir, int linkPort)
{
    public string Name { get; } = name;

    public BurrowProcess Process { get; } = process;

    public string DataDir { get; } = dataDir;

    /// <summary>The node-link port (--node-addr 127.0.0.1:PORT).</summary>
    public int LinkPort { get; } = linkPort;

    /// <summary>http://127.0.0.1:PORT of its admin API.</summary>
    public string? AdminUrl { get; internal set; }

    /// <summary>The loopback address its public and agent listeners are on (each node its own).</summary>
    public System.Net.IPAddress Address { get; internal set; } = System.Net.IPAddress.Loopback;

    /// <summary>ADDR:PORT agents dial.</summary>
    public string? AgentAddress { get; internal set; }

    /// <summary>Its public HTTPS port (on <see cref="Address"/>).</summary>
    public int HttpsPort { get; internal set; }

    /// <summary>Its public HTTP port (on <see cref="Address"/>).</summary>
    public int HttpPort { get; internal set; }

    /// <summary>The first of the TCP tunnel ports every node of the cluster offers (three from there).</summary>
    public int TcpPort { get; internal set; }

    /// <summary>127.0.0.1:PORT of its /healthz.</summary>
    public string? HealthAddress { get; internal set; }
}

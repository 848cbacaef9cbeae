using System.Security.Cryptography.X509Certificates;
using Burrow.Agent.Tunnels;

namespace Burrow.Agent;

/// <summary>Settings of an agent run.</summary>
internal sealed class AgentOptions
{
    /// <summary>The edge's agent address, <c>host:port</c>.</summary>
    public required string ServerAddress { get; init; }

    /// <summary>The name to expect on the edge's certificate (and send as SNI); default the host of <see cref="ServerAddress"/>.</summary>
    public string? ServerName { get; init; }

    /// <summary>The authtoken.</summary>
    public string Authtoken { get; init; } = "";

    /// <summary>A CA to trust for the edge's certificate besides the system store (e.g. the edge's local CA).</summary>
    public X509Certificate2? EdgeCa { get; init; }

    /// <summary>
    /// How many edges of a cluster to hold a session with at once (each a <em>leg</em>, with every tunnel bound on it);
    /// <see langword="null"/> takes two when the edge lists more than one node, else one. Never more than the nodes
    /// listed, nor than <see cref="MaxLegs"/>.
    /// </summary>
    public int? Legs { get; init; }

    /// <summary>The most legs an agent opens: each is a TLS session with its own keepalive, so a few are plenty.</summary>
    public const int MaxLegs = 8;

    /// <summary>The tunnels to keep online.</summary>
    public IReadOnlyList<TunnelDefinition> Tunnels { get; init; } = [];

    /// <summary>Where the agent keeps what it needs to resume after a restart; <see langword="null"/> keeps nothing.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>The first reconnect delay. Default 0.5 s.</summary>
    public TimeSpan MinReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Keep retrying even failures that retrying cannot mend (the edge's name does not resolve, its certificate is not
    /// trusted); by default the agent says what is wrong and exits after three such attempts.
    /// </summary>
    public bool RetryForever { get; init; }

    /// <summary>The longest reconnect delay. Default 30 s.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where the inspector and agent API listen, <c>host:port</c> (default <c>127.0.0.1:4040</c>; the next free port is
    /// taken when that one is busy), or <see langword="null"/> for none.
    /// </summary>
    public string? WebAddress { get; init; } = "127.0.0.1:4040";

    /// <summary>
    /// How many bytes of captured requests the inspector keeps, oldest dropped first. Default 20 MiB: tens of thousands
    /// of small exchanges, and the agent's resident memory is about its working set plus this budget once it is full.
    /// </summary>
    public long InspectBudgetBytes { get; init; } = DefaultInspectBudgetBytes;

    /// <summary>The default of <see cref="InspectBudgetBytes"/>, 20 MiB.</summary>
    public const long DefaultInspectBudgetBytes = 20L * 1024 * 1024;

    /// <summary>
    /// Whether the agent collects its metrics (served at <c>/metrics</c> on <see cref="WebAddress"/>, and sent over OTLP
    /// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set). Default on.
    /// </summary>
    public bool Metrics { get; init; } = true;

    /// <summary>How many bytes of each request and response body the inspector keeps; the rest is counted and marked as cut. Default 128 KiB.</summary>
    public int InspectBodyLimit { get; init; } = 128 * 1024;

    /// <summary>The default state directory: <c>$BURROW_STATE_DIR</c>, <c>$XDG_STATE_HOME/burrow</c> or <c>~/.local/state/burrow</c>.</summary>
    public static string DefaultStateDirectory()
    {
        string? explicitDir = Environment.GetEnvironmentVariable("BURROW_STATE_DIR");
        if (!string.IsNullOrEmpty(explicitDir))
        {
            return explicitDir;
        }

        string? xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        string root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state")
            : xdg;
        return Path.Combine(root, "burrow");
    }
}

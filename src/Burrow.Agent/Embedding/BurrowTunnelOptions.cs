namespace Burrow.Agent;

/// <summary>
/// Settings of a tunnel opened from a .NET program (<see cref="BurrowTunnel"/>, <c>UseBurrowTunnel</c>,
/// <c>AddBurrowTunnel</c>). Bindable from configuration: the hosting extensions read the <c>"Burrow"</c> section, e.g.
/// <c>{"Burrow": {"ServerAddress": "edge.example.com:4443", "Authtoken": "brw_..."}}</c>.
/// </summary>
public sealed class BurrowTunnelOptions
{
    /// <summary>The configuration section the hosting extensions bind: <c>Burrow</c>.</summary>
    public const string SectionName = "Burrow";

    /// <summary>The edge's agent address, <c>host:port</c>. Required, except where <c>Burrow.Testing</c> starts a local edge.</summary>
    public string? ServerAddress { get; set; }

    /// <summary>The name to expect on the edge's certificate; default the host of <see cref="ServerAddress"/>.</summary>
    public string? ServerName { get; set; }

    /// <summary>The authtoken the edge's operator issued.</summary>
    public string? Authtoken { get; set; }

    /// <summary>A PEM or DER file of a CA to trust for the edge's certificate besides the system store (e.g. the edge's local CA).</summary>
    public string? EdgeCaPath { get; set; }

    /// <summary>A CA to trust for the edge's certificate, as PEM text (<c>ExportCertificatePem()</c> of one at hand); wins over <see cref="EdgeCaPath"/>.</summary>
    public string? EdgeCaPem { get; set; }

    /// <summary>
    /// What <c>AddBurrowTunnel</c> forwards to, e.g. <c>http://localhost:5000</c>; default the app's own first
    /// address. <see cref="BurrowTunnel.ForwardAsync"/> takes it as an argument instead.
    /// </summary>
    public string? Upstream { get; set; }

    /// <summary>The tunnel's name, shown by the edge and used to resume it after a reconnect. Default <c>dotnet</c>.</summary>
    public string Name { get; set; } = "dotnet";

    /// <summary>The tunnel kind for <see cref="BurrowTunnel.ListenAsync"/>: <c>http</c> (default), <c>tcp</c> or <c>tls</c>.</summary>
    public string Protocol { get; set; } = "http";

    /// <summary>
    /// The address to ask for: a full hostname (<c>https://demo.example.com</c> or <c>demo.example.com</c>), a
    /// subdomain under the edge's domain (<c>demo</c>), or for tcp tunnels <c>tcp://edge:PORT</c>; default a random name.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>Credentials the edge requires of every request to an http tunnel, each <c>user:password</c>.</summary>
    public IList<string> BasicAuth { get; } = [];

    /// <summary>Client networks allowed (CIDR, e.g. <c>10.0.0.0/8</c>); others are refused at the edge.</summary>
    public IList<string> AllowCidrs { get; } = [];

    /// <summary>Client networks refused at the edge (CIDR).</summary>
    public IList<string> DenyCidrs { get; } = [];

    /// <summary>
    /// Where the agent's inspector and API listen, <c>host:port</c> (e.g. <c>127.0.0.1:4040</c>); default none, as a
    /// program embedding a tunnel seldom wants a web page of its own.
    /// </summary>
    public string? WebAddress { get; set; }

    /// <summary>
    /// Endpoint pooling (the CLI's <c>--pooling-enabled</c>): share <see cref="Url"/> with other agents that open it with
    /// pooling too; the edge spreads requests (http) or connections (tcp, tls) across them. Default false: a second agent
    /// on the URL is refused.
    /// </summary>
    public bool PoolingEnabled { get; set; }

    /// <summary>Whether an https upstream's certificate is verified. Default true.</summary>
    public bool UpstreamTlsVerify { get; set; } = true;

    /// <summary>How long opening waits for the edge to confirm the tunnel before failing with <c>ERR_BURROW_1010</c>. Default 30 s.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Keep retrying failures retrying cannot mend (an unknown edge host, an untrusted certificate) after the tunnel was online once.</summary>
    public bool RetryForever { get; set; }

    /// <summary>
    /// How many nodes of a clustered edge to hold a session with at once, each with the tunnel bound under the same
    /// URL, so that losing one node loses no traffic (the CLI's <c>--legs</c>); from 1 to 8. Default
    /// <see langword="null"/>: two when the edge lists more than one node, else one.
    /// </summary>
    public int? Legs { get; set; }

    /// <summary>A copy, so that one configured instance can serve several tunnels.</summary>
    public BurrowTunnelOptions Clone()
    {
        var copy = new BurrowTunnelOptions
        {
            ServerAddress = ServerAddress,
            ServerName = ServerName,
            Authtoken = Authtoken,
            EdgeCaPath = EdgeCaPath,
            EdgeCaPem = EdgeCaPem,
            Upstream = Upstream,
            Name = Name,
            Protocol = Protocol,
            Url = Url,
            WebAddress = WebAddress,
            UpstreamTlsVerify = UpstreamTlsVerify,
            PoolingEnabled = PoolingEnabled,
            StartTimeout = StartTimeout,
            RetryForever = RetryForever,
            Legs = Legs,
        };
        CopyInto(BasicAuth, copy.BasicAuth);
        CopyInto(AllowCidrs, copy.AllowCidrs);
        CopyInto(DenyCidrs, copy.DenyCidrs);
        return copy;
    }

    private static void CopyInto(IList<string> from, IList<string> to)
    {
        foreach (string item in from)
        {
            to.Add(item);
        }
    }
}

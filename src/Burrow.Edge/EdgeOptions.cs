using System.Net;

namespace Burrow.Edge;

/// <summary>Settings of an edge (<c>burrow server</c>). Every default suits a loopback trial run.</summary>
/// <remarks>
/// Immutable, with each default here and nowhere else (the CLI shows them from <c>new EdgeOptions()</c>):
/// the edge keeps the instance it was built with for its lifetime, and normalizes its own copy
/// (<see langword="with"/>) instead of changing the caller's.
/// </remarks>
public sealed record EdgeOptions
{
    /// <summary>The base domain; tunnels get hostnames under it, e.g. <c>tunnel.example.com</c>. Default <c>localhost</c>.</summary>
    public string Domain { get; init; } = "localhost";

    /// <summary>Where agents connect (TLS, ALPN <c>burrow/1</c>). Default <c>0.0.0.0:4443</c>.</summary>
    public IPEndPoint AgentEndPoint { get; init; } = new(IPAddress.Any, 4443);

    /// <summary>Where public HTTP is served; <see langword="null"/> disables it. Default <c>0.0.0.0:8880</c> (8080 is where people run their own apps).</summary>
    public IPEndPoint? HttpEndPoint { get; init; } = new(IPAddress.Any, 8880);

    /// <summary>Where public HTTPS is served (agents may use it too, by ALPN). Default <c>0.0.0.0:8443</c>.</summary>
    public IPEndPoint? HttpsEndPoint { get; init; } = new(IPAddress.Any, 8443);

    /// <summary>The HTTPS port shown in public URLs, when a load balancer maps another one; default the listening port.</summary>
    public int? PublicHttpsPort { get; init; }

    /// <summary>The HTTP port shown in public URLs; default the listening port.</summary>
    public int? PublicHttpPort { get; init; }

    /// <summary>PEM certificate (a wildcard for the base domain, chain allowed); without it a local CA issues certificates.</summary>
    public string? TlsCertificatePath { get; init; }

    /// <summary>PEM private key of <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; init; }

    /// <summary>Where the edge keeps its local CA and its SQLite control store.</summary>
    public string DataDirectory { get; init; } = DefaultDataDirectory();

    /// <summary>
    /// Authtokens agents may use besides the control store's (no account, no scopes). Without a
    /// control store, and with none given here nor in <see cref="AuthtokenFile"/>, one is created in the data directory.
    /// </summary>
    public IReadOnlyList<string> Authtokens { get; init; } = [];

    /// <summary>A file with one authtoken per line (blank lines and <c>#</c> comments ignored).</summary>
    public string? AuthtokenFile { get; init; }

    /// <summary>How long a disconnected agent's tunnels stay reserved for it to resume. Default 60 s.</summary>
    public TimeSpan ResumeGrace { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often agents ping. Default 10 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an agent's ping may stay unanswered. Default 15 s.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the upstream may stay silent on a request before the edge answers 504. Default 5 min.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long in-flight requests may run on after shutdown begins. Default 30 s.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The first port of the range TCP tunnels get their public port from. Default 20000.</summary>
    public int TcpPortMin { get; init; } = 20000;

    /// <summary>The last port of the TCP tunnel range (inclusive). Default 20999.</summary>
    public int TcpPortMax { get; init; } = 20999;

    /// <summary>
    /// The address TCP tunnels listen on; default that of the public HTTPS listener (else HTTP),
    /// so an edge on loopback keeps its TCP tunnels on loopback too.
    /// </summary>
    public IPAddress? TcpAddress { get; init; }

    /// <summary>The address TCP tunnel listeners bind to.</summary>
    public IPAddress TcpBindAddress => TcpAddress ?? HttpsEndPoint?.Address ?? HttpEndPoint?.Address ?? IPAddress.Any;

    /// <summary>
    /// Where the admin API and page listen (plain HTTP, API key required); <see langword="null"/>
    /// disables them. Default <c>127.0.0.1:4440</c>: loopback only, and outside 4040-4089 where agents' web interfaces go. Needs a control store.
    /// </summary>
    public IPEndPoint? AdminEndPoint { get; init; } = new(IPAddress.Loopback, 4440);

    /// <summary>
    /// The control store: <see langword="null"/> for <c>burrow.db</c> (SQLite) in <see cref="DataDirectory"/>, a
    /// <c>postgres://</c> URL or key=value connection string for PostgreSQL, or an SQLite file path.
    /// </summary>
    public string? Database { get; init; }

    /// <summary>
    /// Whether the edge keeps accounts, authtokens, reservations and audit events in a control
    /// store. Default true; an edge embedded in an agent runs without one.
    /// </summary>
    public bool UseControlStore { get; init; } = true;

    /// <summary>
    /// Create a new admin API key on start (printed once and written to the data directory), for when the first
    /// start's key was lost. Ignored on the first start, which creates one anyway. Default false.
    /// </summary>
    public bool CreateAdminApiKey { get; init; }

    /// <summary>How often live sessions' authtokens are checked for revocation and expiry. Default 1 s.</summary>
    public TimeSpan RevocationCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a tcp (or passed-through tls) tunnel connection may carry no byte either way before
    /// the edge closes it; <see cref="TimeSpan.Zero"/> turns it off. A tunnel may ask for less, not more. Default 2 h.
    /// </summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Most connections one tcp (or passed-through tls) tunnel carries at once; a tunnel may ask for fewer. Default 1000.</summary>
    public int TcpMaxConnections { get; init; } = 1000;

    /// <summary>How a pooled URL's requests (http) or connections (tcp, tls) are spread across its agents. Default round robin.</summary>
    public Routing.Pooling.PoolBalance PoolBalance { get; init; } = Routing.Pooling.PoolBalance.RoundRobin;

    /// <summary>
    /// How long a pool member whose upstream failed (or whose agent went away) gets no new traffic; after it, the next
    /// request tries it again. Default 10 s.
    /// </summary>
    public TimeSpan PoolRecheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many recent requests (or tcp/tls connections) the edge keeps per tunnel for the admin API's traffic log and
    /// <c>burrow admin tail</c>; 0 keeps none. Default 100 (about 25 KiB per busy tunnel).
    /// </summary>
    public int TrafficLogSize { get; init; } = 100;

    /// <summary>Most tunnels one agent session may hold. Default 64.</summary>
    public int MaxTunnelsPerSession { get; init; } = 64;

    /// <summary>
    /// How long a public client may take to send a request's headers before the connection is
    /// closed; what stops slow-header (slowloris) clients from holding connections. Default 30 s.
    /// </summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an idle keep-alive connection stays open. Default 130 s (Kestrel's).</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(130);

    /// <summary>
    /// The slowest a request body may arrive, in bytes per second after a 5 s grace, before the
    /// connection is closed; 0 turns the check off. Upgraded connections (WebSockets), gRPC and
    /// event streams are exempt: their silence is normal. Default 240 (Kestrel's).
    /// </summary>
    public double MinRequestBodyBytesPerSecond { get; init; } = 240;

    /// <summary>Most open connections on all listeners together (agents included); <see langword="null"/> for no limit (the default).</summary>
    public long? MaxConnections { get; init; }

    /// <summary>Most bytes of request headers the edge answers with 431 <c>ERR_BURROW_3013</c> beyond. Default 32 KiB.</summary>
    public int MaxRequestHeaderBytes { get; init; } = 32 * 1024;

    /// <summary>Most request headers the edge answers with 431 <c>ERR_BURROW_3013</c> beyond. Default 100.</summary>
    public int MaxRequestHeaderCount { get; init; } = 100;

    /// <summary>Largest request body, in bytes, answered with 413 <c>ERR_BURROW_3014</c> beyond; <see langword="null"/> (the default) streams bodies of any size.</summary>
    public long? MaxRequestBodySize { get; init; }

    /// <summary>
    /// Failed agent authentications allowed per client address within any minute (a sliding
    /// window); beyond it the address is refused with <c>ERR_BURROW_5010</c> before its token is
    /// looked at. 0 turns the limit off. Default 10.
    /// </summary>
    public int AuthFailuresPerMinute { get; init; } = 10;

    /// <summary>
    /// Most sliding-window buckets (a policy's <c>rate-limit</c> buckets and the per-address authentication failure
    /// counts) the edge keeps at once, ~400 bytes each; beyond it a new bucket key is let through uncounted (logged)
    /// until old windows pass. Default 500,000.
    /// </summary>
    public int RateLimitBuckets { get; init; } = 500_000;

    /// <summary>Where the edge serves <c>GET /healthz</c> (live sessions, tunnels, streams); <see langword="null"/> (the default) for nowhere.</summary>
    public IPEndPoint? HealthEndPoint { get; init; }

    /// <summary>
    /// Whether the edge collects its metrics (served at <c>/metrics</c> on the admin listener, and sent over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set). Default on; off leaves the instruments without a listener.
    /// </summary>
    public bool Metrics { get; init; } = true;

    /// <summary>Let's Encrypt's production directory, the default of <see cref="AcmeDirectory"/>.</summary>
    public static Uri LetsEncryptDirectory { get; } = new("https://acme-v02.api.letsencrypt.org/directory");

    /// <summary>Let's Encrypt's staging directory (untrusted certificates, generous rate limits), <c>--acme-directory staging</c>.</summary>
    public static Uri LetsEncryptStagingDirectory { get; } = new("https://acme-staging-v02.api.letsencrypt.org/directory");

    /// <summary>
    /// The ACME account's contact address. When set (and no <see cref="TlsCertificatePath"/> is given) the edge runs
    /// its DNS server for the base domain and gets a certificate for <c>*.DOMAIN</c> and <c>DOMAIN</c> over DNS-01
    /// from <see cref="AcmeDirectory"/>, agreeing to that CA's terms of service; <see langword="null"/> (the default) for no ACME.
    /// </summary>
    public string? AcmeEmail { get; init; }

    /// <summary>
    /// How often the edge reads the ACME certificate's row in the control store, to install one another edge of the
    /// cluster stored and to see its errors. Default 30 s; not a flag (tests shorten it).
    /// </summary>
    public TimeSpan AcmePollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the lease that lets one edge order lasts without renewal (the holder renews it every third of it while it
    /// orders; a crashed holder's runs out). Default 2 minutes; not a flag.
    /// </summary>
    public TimeSpan AcmeLeaseDuration { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The ACME directory URL. Default Let's Encrypt production.</summary>
    public Uri AcmeDirectory { get; init; } = LetsEncryptDirectory;

    /// <summary>A PEM file of extra roots trusted for the ACME server's own HTTPS (a private CA, or Pebble's in tests); system roots stay trusted.</summary>
    public string? AcmeCaRootPath { get; init; }

    /// <summary>
    /// The key of every certificate the edge orders: <c>ecdsa</c> (P-256, the default: smaller and faster), <c>rsa2048</c>
    /// or <c>rsa3072</c> (for old clients that offer no ECDSA suite).
    /// </summary>
    public string AcmeKeyType { get; init; } = "ecdsa";

    /// <summary>
    /// How on-demand certificates of reserved hostnames outside <c>*.DOMAIN</c> are proven: <c>http-01</c> (answered on
    /// <see cref="HttpEndPoint"/>, port 80 for a real CA) or <c>tls-alpn-01</c> (on <see cref="HttpsEndPoint"/>, port 443);
    /// <see langword="null"/> (the default) for http-01 when the HTTP listener is on, else tls-alpn-01.
    /// </summary>
    public string? AcmeChallenge { get; init; }

    /// <summary>
    /// Where the edge's authoritative DNS server for the base domain listens (UDP and TCP), with ACME on;
    /// <see langword="null"/> turns it off (then ACME cannot answer DNS-01). Default <c>0.0.0.0:53</c>.
    /// </summary>
    public IPEndPoint? DnsEndPoint { get; init; } = new(IPAddress.Any, 53);

    /// <summary>
    /// The addresses the DNS server answers A/AAAA queries with for the base domain and every name under it;
    /// empty (the default) for the DNS listener's own address when it is a specific one, else this machine's global addresses.
    /// </summary>
    public IReadOnlyList<IPAddress> PublicAddresses { get; init; } = [];

    /// <summary>
    /// <c>HOST[:PORT]</c> of an existing DNS server that accepts RFC 2136 updates for the base domain's zone. When set,
    /// DNS-01 records are added and removed there with TSIG-signed updates (<see cref="AcmeDnsTsig"/> or
    /// <see cref="AcmeDnsTsigFile"/>) and the edge runs no DNS server of its own (<see cref="DnsEndPoint"/> is not bound).
    /// <see langword="null"/> (the default): the edge answers DNS-01 itself.
    /// </summary>
    public string? AcmeDnsUpdate { get; init; }

    /// <summary>The zone the updates are for, when the base domain is inside a larger one (e.g. <c>example.com</c>); default the base domain.</summary>
    public string? AcmeDnsZone { get; init; }

    /// <summary>The TSIG key as <c>NAME:ALGORITHM:SECRET</c> (algorithm default hmac-sha256, secret base64).</summary>
    public string? AcmeDnsTsig { get; init; }

    /// <summary>A file holding the TSIG key as a BIND <c>key</c> clause (what <c>tsig-keygen</c> prints).</summary>
    public string? AcmeDnsTsigFile { get; init; }

    /// <summary>
    /// This edge as a node of a cluster (<c>--node-name</c>, docs/cluster.md): registered in the shared PostgreSQL store,
    /// linked to the other nodes. <see langword="null"/> (the default): a single edge.
    /// </summary>
    public Cluster.ClusterOptions? Cluster { get; init; }

    /// <summary>The default data directory: <c>$XDG_DATA_HOME/burrow/edge</c> or <c>~/.local/share/burrow/edge</c>.</summary>
    public static string DefaultDataDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        string root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : xdg;
        return Path.Combine(root, "burrow", "edge");
    }
}

using System.CommandLine;
using System.Net;
using Burrow.Cli.Logging;
using Burrow.Edge;
using Burrow.Edge.Routing.Pooling;

namespace Burrow.Cli.Commands;

/// <summary><c>burrow server</c>: runs an edge.</summary>
internal static class ServerCommand
{
    // The edge's defaults are EdgeOptions' own; the flags only show and override them.
    private static readonly EdgeOptions Defaults = new();

    public static Command Create()
    {
        var domain = new Option<string>("--domain") { Description = "Base domain; tunnels get <name>.<domain>. A DNS wildcard record *.<domain> must point here (with --acme-email: an NS record delegating <domain> to this machine).", DefaultValueFactory = _ => Defaults.Domain };
        var agentAddr = new Option<IPEndPoint?>("--agent-addr") { Description = "Where agents connect (TLS, ALPN burrow/1).", CustomParser = EndPoints.Parse, DefaultValueFactory = _ => Defaults.AgentEndPoint };
        var httpsAddr = new Option<IPEndPoint?>("--https-addr") { Description = "Public HTTPS listener, or off (default :8443; :443 with --acme-email).", CustomParser = EndPoints.Parse, DefaultValueFactory = _ => Defaults.HttpsEndPoint };
        var httpAddr = new Option<IPEndPoint?>("--http-addr") { Description = "Public HTTP listener, or off (default :8880; :80 with --acme-email).", CustomParser = EndPoints.Parse, DefaultValueFactory = _ => Defaults.HttpEndPoint };
        var publicHttpsPort = new Option<int?>("--public-https-port") { Description = "HTTPS port shown in URLs when a load balancer maps another one (e.g. 443)." };
        var publicHttpPort = new Option<int?>("--public-http-port") { Description = "HTTP port shown in URLs (e.g. 80)." };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate for *.<domain> (chain allowed). Without it (and without --acme-email) a local CA is created in the data directory." };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key of --tls-cert." };
        var acmeEmail = new Option<string?>("--acme-email") { Description = "Get a certificate for *.<domain> and <domain> over ACME (DNS-01, answered by the edge's own DNS server; delegate <domain> to this machine with an NS record), renew it by itself, and agree to the CA's terms of service. This address is the account's contact." };
        var acmeDirectory = new Option<Uri>("--acme-directory") { Description = "The ACME CA's directory URL, or 'staging' for Let's Encrypt's staging CA.", CustomParser = ParseAcmeDirectory, DefaultValueFactory = _ => Defaults.AcmeDirectory };
        var acmeCaRoot = new Option<string?>("--acme-ca-root") { Description = "PEM file of extra roots to trust for the ACME server's HTTPS (a private CA; Pebble's in tests)." };
        var acmeChallenge = new Option<string?>("--acme-challenge") { Description = "With --acme-email: how certificates for reserved hostnames outside *.<domain> are proven, http-01 (on --http-addr, port 80) or tls-alpn-01 (on --https-addr, port 443); default http-01 when the HTTP listener is on, else tls-alpn-01." };
        acmeChallenge.AcceptOnlyFromAmong("http-01", "tls-alpn-01");
        var acmeKeyType = new Option<string>("--acme-key-type") { Description = "With --acme-email: the key of the certificates the edge orders, ecdsa (P-256, the default) or rsa2048/rsa3072 for old clients without ECDSA.", DefaultValueFactory = _ => "ecdsa" };
        acmeKeyType.AcceptOnlyFromAmong("ecdsa", "rsa2048", "rsa3072");
        var dnsAddr = new Option<IPEndPoint?>("--dns-addr") { Description = "With --acme-email: the edge's authoritative DNS server for <domain> (UDP and TCP), or off.", CustomParser = EndPoints.Parse, DefaultValueFactory = _ => Defaults.DnsEndPoint };
        var publicIps = new Option<IPAddress[]>("--public-ip") { Description = "With --acme-email: an address the DNS server answers A/AAAA with for <domain> and every name under it (repeatable); default the --dns-addr address, else this machine's global addresses.", CustomParser = ParseAddresses, AllowMultipleArgumentsPerToken = false };
        var dnsUpdate = new Option<string?>("--acme-dns-update") { Description = "With --acme-email: put the DNS-01 records on this DNS server (HOST[:PORT], the zone's primary) with TSIG-signed RFC 2136 updates instead of answering them with the edge's own DNS server (--dns-addr is then not bound)." };
        var dnsZone = new Option<string?>("--acme-dns-zone") { Description = "With --acme-dns-update: the zone the updates are for, when <domain> is inside a larger one (default <domain>)." };
        var dnsTsig = new Option<string?>("--acme-dns-tsig") { Description = "With --acme-dns-update: the TSIG key as NAME:ALGORITHM:SECRET (hmac-sha256 default, hmac-sha512, hmac-sha1; base64 secret). Visible in the process list: prefer --acme-dns-tsig-file." };
        var dnsTsigFile = new Option<string?>("--acme-dns-tsig-file") { Description = "With --acme-dns-update: a file with the TSIG key as a BIND key clause, as tsig-keygen prints it." };
        var dataDir = new Option<string>("--data-dir") { Description = "Where the edge keeps its local CA and its SQLite control store (burrow.db).", DefaultValueFactory = _ => EdgeOptions.DefaultDataDirectory() };
        var database = new Option<string?>("--database") { Description = "The control store: an SQLite file path (default <data-dir>/burrow.db), or PostgreSQL as postgres://user:password@host:port/db or a key=value connection string." };
        var authtokens = new Option<string[]>("--authtoken") { Description = "An extra authtoken agents may use besides the stored ones (repeatable; no account, no scopes).", AllowMultipleArgumentsPerToken = false };
        var authtokenFile = new Option<string?>("--authtoken-file") { Description = "File with one authtoken per line." };
        var grace = new Option<TimeSpan>("--resume-grace") { Description = "How long a disconnected agent's URLs stay reserved for it.", CustomParser = Durations.Parse, DefaultValueFactory = _ => Defaults.ResumeGrace };
        var upstreamTimeout = new Option<TimeSpan>("--upstream-timeout") { Description = "How long an upstream may stay silent before the edge answers 504.", CustomParser = Durations.Parse, DefaultValueFactory = _ => Defaults.UpstreamTimeout };
        var drainTimeout = new Option<TimeSpan>("--drain-timeout") { Description = "How long requests in flight may finish on shutdown.", CustomParser = Durations.Parse, DefaultValueFactory = _ => Defaults.DrainTimeout };
        var heartbeat = new Option<TimeSpan>("--heartbeat-interval") { Description = "How often agents ping the edge.", CustomParser = Durations.Parse, DefaultValueFactory = _ => Defaults.HeartbeatInterval };
        var heartbeatTimeout = new Option<TimeSpan>("--heartbeat-timeout") { Description = "How long a ping may stay unanswered.", CustomParser = Durations.Parse, DefaultValueFactory = _ => Defaults.HeartbeatTimeout };
        var tcpPorts = new Option<(int Min, int Max)>("--tcp-ports") { Description = "Ports TCP tunnels get, as first-last; they listen on the address of the public HTTPS (else HTTP) listener.", CustomParser = PortRanges.Parse, DefaultValueFactory = _ => (Defaults.TcpPortMin, Defaults.TcpPortMax) };
        var adminAddr = new Option<IPEndPoint?>("--admin-addr") { Description = "Admin API and web page (plain HTTP, API key required), or off. Keep it on loopback or behind a proxy with TLS.", CustomParser = EndPoints.Parse, DefaultValueFactory = _ => Defaults.AdminEndPoint };
        var tcpIdleTimeout = new Option<TimeSpan>("--tcp-idle-timeout") { Description = "Close a tcp/tls tunnel connection that carries no byte either way for this long (0 or off: never); a tunnel's --idle-timeout may only be shorter.", CustomParser = TunnelLimitOptions.ParseEdgeIdleTimeout, DefaultValueFactory = _ => Defaults.TcpIdleTimeout };
        var tcpMaxConnections = new Option<int>("--tcp-max-connections") { Description = "Most connections one tcp/tls tunnel carries at once; a tunnel's --max-connections may only be lower.", CustomParser = TunnelLimitOptions.ParseEdgeMaxConnections, DefaultValueFactory = _ => Defaults.TcpMaxConnections };
        var headersTimeout = new Option<TimeSpan>("--request-headers-timeout") { Description = "How long a client may take to send request headers (stops slowloris clients).", CustomParser = Durations.Parse, DefaultValueFactory = _ => Defaults.RequestHeadersTimeout };
        var keepAliveTimeout = new Option<TimeSpan>("--keep-alive-timeout") { Description = "How long an idle public connection stays open between requests.", CustomParser = Durations.Parse, DefaultValueFactory = _ => Defaults.KeepAliveTimeout };
        var minBodyRate = new Option<double>("--min-request-body-rate") { Description = "Slowest request body upload in bytes/s after a 5 s grace; 0 for no minimum. WebSockets, gRPC and event streams are exempt.", DefaultValueFactory = _ => Defaults.MinRequestBodyBytesPerSecond };
        var maxConnections = new Option<long?>("--max-connections") { Description = "Most open connections on all listeners together; default no limit." };
        var maxHeaderBytes = new Option<int>("--max-request-header-bytes") { Description = "Request headers larger than this get 431 (ERR_BURROW_3013).", DefaultValueFactory = _ => Defaults.MaxRequestHeaderBytes };
        var maxHeaders = new Option<int>("--max-request-headers") { Description = "Requests with more headers than this get 431 (ERR_BURROW_3013).", DefaultValueFactory = _ => Defaults.MaxRequestHeaderCount };
        var maxBody = new Option<long?>("--max-request-body") { Description = "Request bodies larger than this many bytes get 413 (ERR_BURROW_3014); default no limit." };
        var authFailures = new Option<int>("--auth-failures-per-minute") { Description = "Failed agent authentications allowed per client address per minute before it is refused (ERR_BURROW_5010); 0 for no limit.", DefaultValueFactory = _ => Defaults.AuthFailuresPerMinute };
        var rateLimitBuckets = new Option<int>("--rate-limit-buckets") { Description = "Most rate-limit buckets (policy rate-limit keys and failed-authentication addresses) kept at once, ~400 bytes each; beyond it new keys pass uncounted (logged) until old windows pass.", DefaultValueFactory = _ => Defaults.RateLimitBuckets };
        var trafficLogSize = new Option<int>("--traffic-log-size") { Description = "Recent requests (or tcp/tls connections) kept per tunnel for 'burrow admin tail' and the admin API; 0 keeps none.", DefaultValueFactory = _ => Defaults.TrafficLogSize };
        trafficLogSize.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 100_000)
            {
                result.AddError("--traffic-log-size must be 0 to 100000.");
            }
        });
        var poolBalance = new Option<PoolBalance>("--pool-balance")
        {
            Description = "How a pooled URL (agents started with --pooling-enabled) spreads requests and connections: round-robin or least-outstanding.",
            CustomParser = PoolOptions.ParseBalance,
            DefaultValueFactory = _ => Defaults.PoolBalance,
        };
        var poolRecheck = new Option<TimeSpan>("--pool-recheck-interval")
        {
            Description = "How long a pool member whose upstream or agent failed gets no new traffic before it is tried again (1s to 1h).",
            CustomParser = PoolOptions.ParseRecheckInterval,
            DefaultValueFactory = _ => Defaults.PoolRecheckInterval,
        };
        var healthAddr = new Option<IPEndPoint?>("--health-addr") { Description = "Where to serve GET /healthz (sessions, tunnels, streams, connections), e.g. 127.0.0.1:9090; default off.", CustomParser = EndPoints.Parse };
        var metrics = new Option<bool>("--metrics") { Description = "Collect metrics: Prometheus text at /metrics on the admin listener (API key required), and OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.", DefaultValueFactory = _ => Defaults.Metrics };
        var newAdminKey = new Option<bool>("--new-admin-key") { Description = "Create a new admin API key for the first account, print it once and keep it in the data directory (when the first start's key was lost)." };
        var nodeName = new Option<string?>("--node-name") { Description = "Run this edge as a node of a cluster under this name (letters, digits, hyphens): registered in the shared PostgreSQL store (--database postgres://...; every node needs the same <data-dir>/store.key) and linked to the other nodes. See docs/cluster.md." };
        var nodeAddr = new Option<string?>("--node-addr") { Description = "With --node-name: host:port the other nodes reach this node's node link at." };
        var nodeListen = new Option<IPEndPoint?>("--node-listen") { Description = "With --node-name: where the node link listens (mutual TLS, ALPN burrow-node/1); default the --node-addr port, on its address when that is an IP, else on all addresses.", CustomParser = EndPoints.Parse };
        var clusterCa = new Option<string?>("--cluster-ca") { Description = "With --node-name: the cluster CA certificate (PEM) node links trust, instead of the CA the first node makes and keeps in the store; with --cluster-cert and --cluster-key." };
        var clusterCert = new Option<string?>("--cluster-cert") { Description = "With --cluster-ca: this node's certificate (PEM) from that CA, naming the node (DNS name = --node-name)." };
        var clusterKey = new Option<string?>("--cluster-key") { Description = "With --cluster-ca: the private key (PEM) of --cluster-cert." };
        var log = new Option<string>("--log") { Description = "Where logs go: stdout, stderr or false.", DefaultValueFactory = _ => "stdout" };
        var logFormat = new Option<string>("--log-format") { Description = "term, logfmt or json.", DefaultValueFactory = _ => "term" };
        var logLevel = new Option<string>("--log-level") { Description = "debug, info, warn, error or crit.", DefaultValueFactory = _ => "info" };

        var command = new Command("server", "Run an edge: agents connect to it, and it serves their tunnels at public URLs.")
        {
            domain, agentAddr, httpsAddr, httpAddr, publicHttpsPort, publicHttpPort, tlsCert, tlsKey, acmeEmail, acmeDirectory, acmeCaRoot, acmeChallenge, acmeKeyType, dnsAddr, publicIps, dnsUpdate, dnsZone, dnsTsig, dnsTsigFile, dataDir, database, authtokens, authtokenFile,
            grace, upstreamTimeout, drainTimeout, heartbeat, heartbeatTimeout, tcpPorts, tcpIdleTimeout, tcpMaxConnections, adminAddr,
            headersTimeout, keepAliveTimeout, minBodyRate, maxConnections, maxHeaderBytes, maxHeaders, maxBody, authFailures, rateLimitBuckets, trafficLogSize, healthAddr,
            poolBalance, poolRecheck, metrics, newAdminKey, nodeName, nodeAddr, nodeListen, clusterCa, clusterCert, clusterKey, log, logFormat, logLevel,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            string logTarget = parse.GetValue(log)!, format = parse.GetValue(logFormat)!, level = parse.GetValue(logLevel)!;
            if (LogSetup.Validate(logTarget, format, level) is { } logError)
            {
                await Console.Error.WriteLineAsync(logError).ConfigureAwait(false);
                return 2;
            }

            // BURROW_AUTHTOKEN counts only when no token is given any other way (flag or file).
            string[] flagTokens = parse.GetValue(authtokens) ?? [];
            string? tokenFile = parse.GetValue(authtokenFile);
            IReadOnlyList<string> tokens = flagTokens.Length == 0 && tokenFile is null
                && Environment.GetEnvironmentVariable("BURROW_AUTHTOKEN") is { Length: > 0 } envToken
                    ? [envToken]
                    : flagTokens;
            var options = new EdgeOptions
            {
                Domain = parse.GetValue(domain)!,
                AgentEndPoint = EndPoints.Read(parse.GetValue(agentAddr)) ?? Defaults.AgentEndPoint,
                HttpsEndPoint = PublicDefault(parse, httpsAddr, acmeEmail, 443),
                HttpEndPoint = PublicDefault(parse, httpAddr, acmeEmail, 80),
                PublicHttpsPort = parse.GetValue(publicHttpsPort),
                PublicHttpPort = parse.GetValue(publicHttpPort),
                TlsCertificatePath = parse.GetValue(tlsCert),
                TlsKeyPath = parse.GetValue(tlsKey),
                AcmeEmail = parse.GetValue(acmeEmail),
                AcmeDirectory = parse.GetValue(acmeDirectory)!,
                AcmeCaRootPath = parse.GetValue(acmeCaRoot),
                AcmeChallenge = parse.GetValue(acmeChallenge),
                AcmeKeyType = parse.GetValue(acmeKeyType)!,
                DnsEndPoint = EndPoints.Read(parse.GetValue(dnsAddr)),
                PublicAddresses = parse.GetValue(publicIps) ?? [],
                AcmeDnsUpdate = parse.GetValue(dnsUpdate),
                AcmeDnsZone = parse.GetValue(dnsZone),
                AcmeDnsTsig = parse.GetValue(dnsTsig),
                AcmeDnsTsigFile = parse.GetValue(dnsTsigFile),
                DataDirectory = parse.GetValue(dataDir)!,
                Database = parse.GetValue(database) ?? Environment.GetEnvironmentVariable("BURROW_DATABASE"),
                Authtokens = tokens,
                AuthtokenFile = tokenFile,
                ResumeGrace = parse.GetValue(grace),
                UpstreamTimeout = parse.GetValue(upstreamTimeout),
                DrainTimeout = parse.GetValue(drainTimeout),
                HeartbeatInterval = parse.GetValue(heartbeat),
                HeartbeatTimeout = parse.GetValue(heartbeatTimeout),
                TcpPortMin = parse.GetValue(tcpPorts).Min,
                TcpPortMax = parse.GetValue(tcpPorts).Max,
                AdminEndPoint = EndPoints.Read(parse.GetValue(adminAddr)),
                TcpIdleTimeout = parse.GetValue(tcpIdleTimeout),
                TcpMaxConnections = parse.GetValue(tcpMaxConnections),
                TrafficLogSize = parse.GetValue(trafficLogSize),
                PoolBalance = parse.GetValue(poolBalance),
                PoolRecheckInterval = parse.GetValue(poolRecheck),
                RequestHeadersTimeout = parse.GetValue(headersTimeout),
                KeepAliveTimeout = parse.GetValue(keepAliveTimeout),
                MinRequestBodyBytesPerSecond = parse.GetValue(minBodyRate),
                MaxConnections = parse.GetValue(maxConnections),
                MaxRequestHeaderBytes = parse.GetValue(maxHeaderBytes),
                MaxRequestHeaderCount = parse.GetValue(maxHeaders),
                MaxRequestBodySize = parse.GetValue(maxBody),
                AuthFailuresPerMinute = parse.GetValue(authFailures),
                RateLimitBuckets = parse.GetValue(rateLimitBuckets),
                HealthEndPoint = EndPoints.Read(parse.GetValue(healthAddr)),
                Metrics = parse.GetValue(metrics),
                CreateAdminApiKey = parse.GetValue(newAdminKey),
            };
            if (options.MaxRequestHeaderBytes < 1024 || options.MaxRequestHeaderCount < 10 || options.MinRequestBodyBytesPerSecond < 0
                || options.AuthFailuresPerMinute < 0 || options.RateLimitBuckets < 1000 || options.MaxConnections <= 0 || options.MaxRequestBodySize < 0)
            {
                await Console.Error.WriteLineAsync("burrow server: --max-request-header-bytes must be at least 1024, --max-request-headers at least 10, "
                    + "--max-connections positive, --rate-limit-buckets at least 1000, and --min-request-body-rate, --max-request-body and --auth-failures-per-minute not negative.").ConfigureAwait(false);
                return 2;
            }

            var cluster = ClusterFlags.Read(parse.GetValue(nodeName), parse.GetValue(nodeAddr), EndPoints.Read(parse.GetValue(nodeListen)),
                parse.GetValue(clusterCa), parse.GetValue(clusterCert), parse.GetValue(clusterKey), out string? clusterError);
            if (clusterError is not null)
            {
                await Console.Error.WriteLineAsync($"burrow server: {clusterError}").ConfigureAwait(false);
                return 2;
            }

            options = options with { Cluster = cluster };
            EdgeServer edge;
            try
            {
                edge = EdgeServer.Create(options, logging => LogSetup.Apply(logging, logTarget, format, level));
                await edge.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException
                or System.Security.Cryptography.CryptographicException)
            {
                // An ArgumentException's Message ends with "(Parameter 'options')", which tells an operator nothing.
                string reason = ex is ArgumentException { ParamName: { } name } argument
                    ? argument.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal)
                    : ex.Message;
                await Console.Error.WriteLineAsync($"burrow server: cannot start: {reason}").ConfigureAwait(false);
                return 1;
            }

            await using (edge.ConfigureAwait(false))
            {
                PrintBanner(edge, options);
                try
                {
                    // SIGTERM/SIGINT, or this node drained from any node (burrow admin nodes drain): both drain and exit 0.
                    await Task.WhenAny(Task.Delay(Timeout.Infinite, cancellationToken), edge.DrainRequested).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    Console.WriteLine("This node was drained (burrow admin nodes drain): draining requests in flight...");
                }
                catch (OperationCanceledException)
                {
                    Console.WriteLine("Shutting down: draining requests in flight...");
                }

                await edge.StopAsync(CancellationToken.None).ConfigureAwait(false);
                Console.WriteLine("Stopped.");
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// A public listener's address: the flag's, else with <c>--acme-email</c> the standard port on every address (a CA
    /// validates HTTP-01 on 80 and TLS-ALPN-01 on 443, and browsers use them), else the edge's default.
    /// </summary>
    private static IPEndPoint? PublicDefault(ParseResult parse, Option<IPEndPoint?> address, Option<string?> acmeEmail, int standardPort) =>
        parse.GetResult(address) is null or { Implicit: true } && parse.GetValue(acmeEmail) is not null
            ? new IPEndPoint(IPAddress.Any, standardPort)
            : EndPoints.Read(parse.GetValue(address));

    private static Uri ParseAcmeDirectory(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (text.Equals("staging", StringComparison.OrdinalIgnoreCase))
        {
            return EdgeOptions.LetsEncryptStagingDirectory;
        }

        if (text.Equals("production", StringComparison.OrdinalIgnoreCase) || text.Equals("letsencrypt", StringComparison.OrdinalIgnoreCase))
        {
            return EdgeOptions.LetsEncryptDirectory;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out Uri? url) && url.Scheme == Uri.UriSchemeHttps)
        {
            return url;
        }

        result.AddError($"'{text}' is not an ACME directory: give an https URL (e.g. https://acme-v02.api.letsencrypt.org/directory), 'staging' or 'production'.");
        return EdgeOptions.LetsEncryptDirectory;
    }

    private static IPAddress[] ParseAddresses(System.CommandLine.Parsing.ArgumentResult result)
    {
        var addresses = new List<IPAddress>();
        foreach (var token in result.Tokens)
        {
            foreach (string part in token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (IPAddress.TryParse(part, out IPAddress? address))
                {
                    addresses.Add(address);
                }
                else
                {
                    result.AddError($"--public-ip '{part}' is not an IPv4 or IPv6 address.");
                }
            }
        }

        return [.. addresses];
    }

    private static string DataDirFlag(EdgeOptions options) =>
        Path.GetFullPath(options.DataDirectory) == Path.GetFullPath(Defaults.DataDirectory) ? "" : $" --data-dir {options.DataDirectory}";

    private static void PrintBanner(EdgeServer edge, EdgeOptions options)
    {
        EdgeEndpoints ep = edge.Endpoints;
        Console.WriteLine($"Burrow edge {EdgeServer.Version}, base domain {edge.Domain}");
        Console.WriteLine($"Agents   listening on {ep.Agents} (TLS, ALPN burrow/1)");
        if (ep.Https is { } https)
        {
            int port = options.PublicHttpsPort ?? https.Port;
            Console.WriteLine($"HTTPS    listening on {https}, URLs https://<name>.{edge.Domain}{(port == 443 ? "" : $":{port}")}");
        }

        if (ep.Http is { } http)
        {
            int port = options.PublicHttpPort ?? http.Port;
            Console.WriteLine($"HTTP     listening on {http}, URLs http://<name>.{edge.Domain}{(port == 80 ? "" : $":{port}")}");
        }

        if (ep.Health is { } health)
        {
            Console.WriteLine($"Health   listening on {health}, GET /healthz");
        }

        if (edge.Acme is { } acme)
        {
            if (acme.DnsUpdateRoute is { } route)
            {
                Console.WriteLine($"DNS      DNS-01 records go to {route}; the edge runs no DNS server");
            }
            else
            {
                Console.WriteLine($"DNS      listening on {acme.DnsEndPoint} (UDP and TCP), authoritative for {edge.Domain}: A/AAAA {string.Join(", ", acme.PublicAddresses)}; delegate {edge.Domain} here with an NS record");
            }

            Console.WriteLine($"ACME     certificate for *.{edge.Domain} and {edge.Domain} from {options.AcmeDirectory} (DNS-01), kept in the control store (keys sealed with {Path.Combine(options.DataDirectory, "store.key")}); until it is installed the local CA's certificate is served (the log says when)");
            if (edge.OnDemand is { Enabled: true } onDemand)
            {
                string where = onDemand.ChallengeType == "http-01" ? "answered on the HTTP listener (port 80 for a public CA)" : "answered on the HTTPS listener (port 443 for a public CA)";
                Console.WriteLine($"ACME     reserved hostnames outside *.{edge.Domain}: a certificate each when a tunnel first binds one ({onDemand.ChallengeType}, {where})");
            }
        }

        Console.WriteLine($"TCP      tunnels get ports {options.TcpPortMin}-{options.TcpPortMax} on {options.TcpBindAddress}, URLs tcp://{edge.Domain}:<port>; idle timeout {(options.TcpIdleTimeout > TimeSpan.Zero ? options.TcpIdleTimeout.ToString() : "off")}, at most {options.TcpMaxConnections} connections per tunnel");
        if (edge.Acme is not null && edge.LocalCaPath is { } acmeCa)
        {
            Console.WriteLine($"Local CA {acmeCa}: serves until the ACME certificate is installed, and names more than one label under {edge.Domain}; agents need no --edge-ca once the ACME certificate is served.");
        }
        else if (edge.LocalCaPath is { } ca)
        {
            string created = edge.LocalCaReplacedBecause is { } why ? $" (created now, replacing the previous one: {why}; trust it again)" : edge.LocalCaCreated ? " (created now)" : "";
            Console.WriteLine($"Local CA {ca}{created}: no --tls-cert was given, so agents and browsers must trust this CA (agent: --edge-ca {ca}; curl: --cacert {ca}; browsers: burrow trust --data-dir {options.DataDirectory}).");
        }

        if (edge.Store is { } store)
        {
            Console.WriteLine($"Store    {(store.Kind == Burrow.Storage.StoreKind.Sqlite ? "SQLite" : "PostgreSQL")} {store.Description}");
        }

        if (ep.Admin is { } admin)
        {
            Console.WriteLine($"Admin    listening on http://{admin} (API /api/v1, web page /)");
        }

        if (options.Cluster is { } cluster && edge.NodeLinkEndPoint is { } nodeLinks)
        {
            Console.WriteLine($"Node     {cluster.NodeName} of a cluster on {edge.Store?.Description}: node links on {nodeLinks} (reached at {cluster.NodeAddress}; mutual TLS, ALPN burrow-node/1, cluster CA {(cluster.CaCertificatePath is { } ca ? $"from {ca}" : $"kept in the store, sealed with {Path.Combine(options.DataDirectory, "store.key")}: every node needs the same file")})");
        }

        if (edge.Bootstrap is { } first)
        {
            string host = edge.Domain == "localhost" ? "127.0.0.1" : edge.Domain;
            Console.WriteLine($"The store was empty: created account '{first.AccountName}' with an authtoken and an API key.");
            Console.WriteLine("They are shown once (only their hashes are stored); keep them now.");
            Console.WriteLine($"  Authtoken: {first.Authtoken}");
            Console.WriteLine($"  API key:   {first.ApiKey}{(edge.ApiKeyPath is { } keyPath ? $" (also in {keyPath}, for burrow admin on this machine)" : "")}");
            Console.WriteLine("Connect an agent with:");
            Console.WriteLine($"  burrow http 8080 --server {host}:{ep.Agents!.Port} --authtoken {first.Authtoken}{(edge.Acme is null && edge.LocalCaPath is { } caPath ? $" --edge-ca {caPath}" : "")}");
        }
        else if (edge.GeneratedAuthtoken is { } token)
        {
            Console.WriteLine($"Created an authtoken in {edge.AuthtokenPath} (shown once). Connect an agent with:");
            string host = edge.Domain == "localhost" ? "127.0.0.1" : edge.Domain;
            Console.WriteLine($"  burrow http 8080 --server {host}:{ep.Agents!.Port} --authtoken {token}{(edge.Acme is null && edge.LocalCaPath is { } caPath ? $" --edge-ca {caPath}" : "")}");
        }
        else if (edge.AuthtokenPath is { } path)
        {
            Console.WriteLine($"Authtoken: the one in {path}.");
        }
        else if (edge.UsableAuthtokens == 0)
        {
            Console.WriteLine("No authtoken in the store can be used (none, or all revoked or expired): agents will be refused. Create one with:");
            Console.WriteLine($"  burrow admin token create{DataDirFlag(options)}");
        }

        if (edge.NewApiKey is { } newKey)
        {
            Console.WriteLine($"Created a new admin API key (shown once; only its hash is stored): {newKey}{(edge.ApiKeyPath is { } keyPath ? $" (also in {keyPath})" : "")}");
        }
        else if (edge.Bootstrap is null && edge.Store is not null && ep.Admin is not null && edge.ApiKeyPath is null)
        {
            Console.WriteLine($"No admin API key file in {options.DataDirectory}: burrow admin on this machine needs --api-key. Lost it? Start once with --new-admin-key to create another.");
        }

        Console.WriteLine("Ready.");
        Console.Out.Flush();
    }
}

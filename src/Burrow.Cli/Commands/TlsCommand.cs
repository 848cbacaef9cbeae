using System.CommandLine;
using Burrow.Agent.Tls;
using Burrow.Agent.Tunnels;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Cli.Commands;

/// <summary>
/// <c>burrow tls &lt;upstream&gt;</c>: exposes a local service under a hostname of the edge, routed by SNI. By default the
/// edge does not terminate TLS, so clients see the upstream's own certificate; <c>--terminate-at agent</c> ends it here
/// with <c>--crt</c>/<c>--key</c>, <c>--terminate-at edge</c> at the edge with the edge's certificate for the name.
/// </summary>
internal static class TlsCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("upstream") { Description = "What to expose: a port (8443, on localhost) or host:port of a service that speaks TLS itself." };
        var url = new Option<string?>("--url") { Description = "The name to ask for: tls://name.<domain>, name.<domain>, or a single label (name); without it the edge picks a random name." };
        var subdomain = UrlOptions.CreateSubdomain();
        var name = new Option<string>("--name") { Description = "The tunnel's name.", DefaultValueFactory = _ => "command_line" };
        var cidrAllow = Many("--cidr-allow", "Allow only these client ranges, e.g. 203.0.113.0/24 (repeatable).");
        var cidrDeny = Many("--cidr-deny", "Refuse these client ranges (repeatable).");
        var proxyProtocol = UpstreamProxyProtocolOption.Create();
        var idleTimeout = TunnelLimitOptions.CreateIdleTimeout();
        var maxConnections = TunnelLimitOptions.CreateMaxConnections();
        var terminateAt = new Option<string>("--terminate-at")
        {
            Description = "Where TLS ends: upstream (default: the edge passes it through untouched), agent (this agent terminates it with --crt/--key) or edge (the edge terminates it with its own certificate for the name); with agent or edge the upstream gets plaintext.",
            DefaultValueFactory = _ => "upstream",
        };
        var crt = new Option<string?>("--crt") { Description = "PEM certificate (leaf first, then intermediates) for --terminate-at agent." };
        var key = new Option<string?>("--key") { Description = "PEM private key of --crt." };
        var mutualTlsCas = MutualTlsCasOption.Create("PEM CA certificates: with --terminate-at agent or edge, clients must present a certificate they issued.");

        var trafficPolicyFile = TrafficPolicyFileOption.Create();
        var pooling = PoolingOption.Create();
        var command = new Command("tls", "Expose a local service by hostname (SNI) on the edge's HTTPS port; TLS passes through to it unless --terminate-at says otherwise.")
        {
            target, url, subdomain, name, cidrAllow, cidrDeny, proxyProtocol, idleTimeout, maxConnections, terminateAt, crt, key, mutualTlsCas, trafficPolicyFile, pooling,
        };
        var connection = AgentConnection.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            (string? trafficPolicy, ProtocolError? policyError) = TrafficPolicyFileOption.Read(parse.GetValue(trafficPolicyFile), "tls");
            if (policyError is not null)
            {
                Console.Error.WriteLine($"burrow tls: {policyError}");
                return 2;
            }

            if (!UpstreamTarget.TryParseTcp(parse.GetValue(target)!, out UpstreamTarget? upstream, out string? upstreamError))
            {
                return Fail($"burrow tls: {upstreamError}.");
            }

            (int? proxyVersion, ProtocolError? proxyError) = UpstreamProxyProtocolOption.Parse(parse, proxyProtocol);
            if (proxyError is not null)
            {
                return Fail($"burrow tls: {proxyError}");
            }

            (long? idleMs, int? maxConnectionCount, ProtocolError? limitError) = TunnelLimitOptions.Parse(parse, idleTimeout, maxConnections);
            if (limitError is not null)
            {
                return Fail($"burrow tls: {limitError}");
            }

            if (CheckTermination(parse.GetValue(terminateAt)!, parse.GetValue(crt), parse.GetValue(key), parse.GetValue(mutualTlsCas)) is { } invalid)
            {
                return Fail($"burrow tls: {ErrorCodes.InvalidTlsTermination.ToError(invalid)}");
            }

            (string? hostname, string? subdomainAsked, ProtocolError? urlError) = UrlOptions.Resolve(parse.GetValue(url), parse.GetValue(subdomain));
            if (urlError is not null)
            {
                return Fail($"burrow tls: {urlError}");
            }

            bool atEdge = IsEdge(parse.GetValue(terminateAt)!);
            string? clientCas = null;
            if (atEdge)
            {
                // The edge checks client certificates itself: the CAs travel in the bind.
                (clientCas, ProtocolError? casError) = MutualTlsCasOption.Read(parse.GetValue(mutualTlsCas));
                if (casError is not null)
                {
                    return Fail($"burrow tls: {casError}");
                }
            }

            AgentTlsTermination? termination = null;
            if (parse.GetValue(crt) is { } crtPath)
            {
                if (!AgentTlsTermination.TryLoad(crtPath, parse.GetValue(key)!, parse.GetValue(mutualTlsCas), out termination, out ProtocolError? loadError))
                {
                    return Fail($"burrow tls: {loadError}");
                }
            }

            using (termination)
            {
                var tunnel = new TunnelDefinition
                {
                    Pooling = parse.GetValue(pooling),
                    Name = parse.GetValue(name)!,
                    Proto = TunnelProtocols.Tls,
                    Upstream = upstream,
                    Hostname = hostname,
                    Subdomain = subdomainAsked,
                    UpstreamProxyProtocol = proxyVersion,
                    TerminateTls = termination,
                    Options = new EndpointOptions(inspect: false)
                    {
                    TrafficPolicy = trafficPolicy,
                        CidrAllow = parse.GetValue(cidrAllow),
                        CidrDeny = parse.GetValue(cidrDeny),
                        IdleTimeoutMs = idleMs,
                        MaxConnections = maxConnectionCount,
                        TerminateAt = atEdge ? TlsTerminations.Edge : null,
                        MutualTlsCas = clientCas,
                    },
                };
                return await connection.RunAsync(parse, tunnel, "tls", cancellationToken).ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>What is wrong with the combination of termination flags, or <see langword="null"/>.</summary>
    private static string? CheckTermination(string terminateAt, string? crt, string? key, string? mutualTlsCas)
    {
        switch (terminateAt.Trim().ToLowerInvariant())
        {
            case "upstream":
                return crt is not null || key is not null || mutualTlsCas is not null
                    ? "--crt, --key and --mutual-tls-cas need --terminate-at agent (--mutual-tls-cas also works with --terminate-at edge); without it TLS passes through to the upstream, which uses its own certificate"
                    : null;
            case "agent":
                return crt is null || key is null ? "--terminate-at agent needs both --crt and --key" : null;
            case "edge":
                return crt is not null || key is not null
                    ? "--terminate-at edge uses the edge's own certificate for the tunnel's name; leave out --crt and --key (or use --terminate-at agent to present your own)"
                    : null;
            default:
                return $"--terminate-at '{terminateAt}' is not upstream, agent or edge";
        }
    }

    private static bool IsEdge(string terminateAt) => terminateAt.Trim().Equals(TlsTerminations.Edge, StringComparison.OrdinalIgnoreCase);

    private static Option<string[]> Many(string name, string description) =>
        new(name) { Description = description, AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}

using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Burrow.Agent;
using Burrow.Agent.Tunnels;
using Burrow.Cli.Logging;
using Burrow.Edge;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Burrow.Cli.Commands;

/// <summary><c>burrow http &lt;upstream&gt;</c>: exposes a local web service at a public HTTPS URL.</summary>
internal static class HttpCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("upstream") { Description = "What to expose: a port (8080), host:port, http(s)://host:port or file:///dir." };
        var url = new Option<string?>("--url") { Description = "The URL to ask for: a subdomain (demo), or a hostname under the edge's domain (demo.tunnel.example.com)." };
        var subdomain = UrlOptions.CreateSubdomain();
        var name = new Option<string>("--name") { Description = "The tunnel's name.", DefaultValueFactory = _ => "command_line" };
        var basicAuth = Many("--basic-auth", "Require user:password (repeatable).");
        var cidrAllow = Many("--cidr-allow", "Allow only these client ranges, e.g. 203.0.113.0/24 (repeatable).");
        var cidrDeny = Many("--cidr-deny", "Refuse these client ranges (repeatable).");
        var requestHeaderAdd = Many("--request-header-add", "Add a header to requests, Name:value (repeatable).");
        var requestHeaderRemove = Many("--request-header-remove", "Remove a header from requests (repeatable).");
        var responseHeaderAdd = Many("--response-header-add", "Add a header to responses, Name:value (repeatable).");
        var responseHeaderRemove = Many("--response-header-remove", "Remove a header from responses (repeatable).");
        var hostHeader = new Option<string?>("--host-header") { Description = "Host sent upstream: preserve (default), rewrite (the upstream's address) or a literal host[:port]." };
        var upstreamProtocol = new Option<string?>("--upstream-protocol") { Description = "http1 (default) or http2 (h2c, e.g. gRPC)." };
        var upstreamTlsVerify = new Option<bool>("--upstream-tls-verify") { Description = "Verify an https:// upstream's certificate.", DefaultValueFactory = _ => true, Arity = ArgumentArity.ZeroOrOne };
        var mutualTlsCas = MutualTlsCasOption.Create("PEM CA certificates: the edge asks clients for a certificate and admits only those these CAs issued (403 otherwise).");
        var inspect = new Option<bool>("--inspect") { Description = "Record requests for the inspector (false: forward bytes untouched, the fastest path).", DefaultValueFactory = _ => true, Arity = ArgumentArity.ZeroOrOne };

        var hsts = new HstsOptions();
        var trafficPolicyFile = TrafficPolicyFileOption.Create();
        var pooling = PoolingOption.Create();
        var command = new Command("http", "Expose a local web service at a public HTTPS URL.")
        {
            target, url, subdomain, name, basicAuth, cidrAllow, cidrDeny, requestHeaderAdd, requestHeaderRemove,
            responseHeaderAdd, responseHeaderRemove, hostHeader, upstreamProtocol, upstreamTlsVerify, mutualTlsCas, inspect, trafficPolicyFile, pooling,
        };
        hsts.AddTo(command);
        var connection = AgentConnection.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            (string? trafficPolicy, ProtocolError? policyError) = TrafficPolicyFileOption.Read(parse.GetValue(trafficPolicyFile), "http");
            if (policyError is not null)
            {
                Console.Error.WriteLine($"burrow http: {policyError}");
                return 2;
            }

            if (!UpstreamTarget.TryParse(parse.GetValue(target)!, out UpstreamTarget? upstream, out string? upstreamError))
            {
                return Fail($"burrow http: {upstreamError}.");
            }

            (string? hostname, string? subdomainAsked, ProtocolError? urlError) = UrlOptions.Resolve(parse.GetValue(url), parse.GetValue(subdomain));
            if (urlError is not null)
            {
                return Fail($"burrow http: {urlError}");
            }

            (string? clientCas, ProtocolError? casError) = MutualTlsCasOption.Read(parse.GetValue(mutualTlsCas));
            if (casError is not null)
            {
                return Fail($"burrow http: {casError}");
            }

            (long? hstsMaxAge, bool hstsIncludeSubdomains) = hsts.Read(parse);
            var tunnel = new TunnelDefinition
            {
                Pooling = parse.GetValue(pooling),
                Name = parse.GetValue(name)!,
                Upstream = upstream,
                Hostname = hostname,
                Subdomain = subdomainAsked,
                UpstreamTlsVerify = parse.GetValue(upstreamTlsVerify),
                Options = new EndpointOptions(parse.GetValue(inspect))
                {
                    BasicAuth = parse.GetValue(basicAuth),
                    CidrAllow = parse.GetValue(cidrAllow),
                    CidrDeny = parse.GetValue(cidrDeny),
                    RequestHeaderAdd = parse.GetValue(requestHeaderAdd),
                    RequestHeaderRemove = parse.GetValue(requestHeaderRemove),
                    ResponseHeaderAdd = parse.GetValue(responseHeaderAdd),
                    ResponseHeaderRemove = parse.GetValue(responseHeaderRemove),
                    HostHeader = parse.GetValue(hostHeader),
                    UpstreamProtocol = parse.GetValue(upstreamProtocol),
                    HstsMaxAge = hstsMaxAge,
                    HstsIncludeSubdomains = hstsIncludeSubdomains,
                    MutualTlsCas = clientCas,
                    TrafficPolicy = trafficPolicy,
                },
            };

            return await connection.RunAsync(parse, tunnel, "http", cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static Option<string[]> Many(string name, string description) =>
        new(name) { Description = description, AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}

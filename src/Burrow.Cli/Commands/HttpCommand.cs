using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Burrow.Agent;
using Burrow.Cli.Logging;
using Burrow.Edge;
using Burrow.Protocol;
using Microsoft.Extensions.Logging;

namespace Burrow.Cli.Commands;

/// <summary><c>burrow http &lt;upstream&gt;</c>: exposes a local web service at a public HTTPS URL.</summary>
internal static class HttpCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("upstream") { Description = "What to expose: a port (8080), host:port, http(s)://host:port or file:///dir." };
        var url = new Option<string?>("--url") { Description = "The URL to ask for: a subdomain (demo), or a hostname under the edge's domain (demo.tunnel.example.com)." };
        var name = new Option<string>("--name") { Description = "The tunnel's name.", DefaultValueFactory = _ => "command_line" };
        var authtoken = new Option<string?>("--authtoken") { Description = "The edge's authtoken (or BURROW_AUTHTOKEN)." };
        var server = new Option<string?>("--server", "--connect-url") { Description = "The edge's agent address host:port (or BURROW_SERVER). Without one, a local edge starts in this process." };
        var serverName = new Option<string?>("--server-name") { Description = "Name expected on the edge's certificate, when --server is an IP address or another name." };
        var edgeCa = new Option<string?>("--edge-ca") { Description = "PEM CA certificate to trust for the edge (its local CA), instead of the system store (or BURROW_EDGE_CA)." };
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
        var inspect = new Option<bool>("--inspect") { Description = "Record requests for the inspector (the inspector comes in a later version).", DefaultValueFactory = _ => true, Arity = ArgumentArity.ZeroOrOne };
        var localHttpsPort = new Option<int>("--local-https-port") { Description = "HTTPS port of the local edge started when no --server is given (0: any free port).", DefaultValueFactory = _ => 8443 };
        var log = new Option<string>("--log") { Description = "Where logs go: stdout, stderr or false.", DefaultValueFactory = _ => "false" };
        var logFormat = new Option<string>("--log-format") { Description = "term, logfmt or json.", DefaultValueFactory = _ => "term" };
        var logLevel = new Option<string>("--log-level") { Description = "debug, info, warn, error or crit.", DefaultValueFactory = _ => "info" };

        var command = new Command("http", "Expose a local web service at a public HTTPS URL.")
        {
            target, url, name, authtoken, server, serverName, edgeCa, basicAuth, cidrAllow, cidrDeny, requestHeaderAdd, requestHeaderRemove,
            responseHeaderAdd, responseHeaderRemove, hostHeader, upstreamProtocol, upstreamTlsVerify, inspect, localHttpsPort, log, logFormat, logLevel,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            string logTarget = parse.GetValue(log)!, format = parse.GetValue(logFormat)!, level = parse.GetValue(logLevel)!;
            if (LogSetup.Validate(logTarget, format, level) is { } logError)
            {
                return Fail(logError);
            }

            if (!UpstreamTarget.TryParse(parse.GetValue(target)!, out UpstreamTarget? upstream, out string? upstreamError))
            {
                return Fail($"burrow http: {upstreamError}.");
            }

            (string? hostname, string? subdomain) = SplitUrl(parse.GetValue(url));
            var tunnel = new TunnelDefinition
            {
                Name = parse.GetValue(name)!,
                Upstream = upstream,
                Hostname = hostname,
                Subdomain = subdomain,
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
                },
            };

            using ILoggerFactory loggers = LoggerFactory.Create(b => LogSetup.Apply(b, logTarget, format, level));
            string? serverAddress = parse.GetValue(server) ?? Env("BURROW_SERVER");
            string token = parse.GetValue(authtoken) ?? Env("BURROW_AUTHTOKEN") ?? "";
            string? caPath = parse.GetValue(edgeCa) ?? Env("BURROW_EDGE_CA");
            X509Certificate2? ca = null;
            EdgeServer? localEdge = null;
            try
            {
                if (caPath is not null)
                {
                    try
                    {
                        ca = X509CertificateLoader.LoadCertificateFromFile(caPath);
                    }
                    catch (Exception ex) when (ex is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
                    {
                        return Fail($"burrow http: cannot read --edge-ca {caPath}: {ex.Message}");
                    }
                }

                if (serverAddress is null)
                {
                    token = AuthtokenForLocalEdge();
                    localEdge = await StartLocalEdgeAsync(parse.GetValue(localHttpsPort), token, logTarget, format, level, cancellationToken).ConfigureAwait(false);
                    serverAddress = $"127.0.0.1:{localEdge.Endpoints.Agents!.Port}";
                    ca = localEdge.LocalCaCertificate;
                    Console.WriteLine($"No --server given: started a local edge on 127.0.0.1 (URLs under *.localhost). Trust its CA for HTTPS: {localEdge.LocalCaPath}");
                }

                var runner = new AgentRunner(
                    new AgentOptions
                    {
                        ServerAddress = serverAddress,
                        ServerName = parse.GetValue(serverName) ?? (localEdge is null ? null : "localhost"),
                        Authtoken = token,
                        EdgeCa = ca,
                        Tunnels = [tunnel],
                        StateDirectory = AgentOptions.DefaultStateDirectory(),
                        Output = Console.Out,
                        ErrorOutput = Console.Error,
                    },
                    loggers.CreateLogger<AgentRunner>());
                return await runner.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
            {
                return Fail($"burrow http: {ex.Message}");
            }
            finally
            {
                if (localEdge is not null)
                {
                    await localEdge.DisposeAsync().ConfigureAwait(false);
                }

                ca?.Dispose();
            }
        });
        return command;
    }

    private static async Task<EdgeServer> StartLocalEdgeAsync(int httpsPort, string token, string logTarget, string format, string level, CancellationToken cancellationToken)
    {
        string dataDir = Path.Combine(Path.GetDirectoryName(EdgeOptions.DefaultDataDirectory())!, "local-edge");
        foreach (int port in httpsPort == 0 ? [0] : new[] { httpsPort, 0 })
        {
            var options = new EdgeOptions
            {
                Domain = "localhost",
                AgentEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                HttpsEndPoint = new IPEndPoint(IPAddress.Loopback, port),
                HttpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                DataDirectory = dataDir,
                DrainTimeout = TimeSpan.FromSeconds(5),
            };
            var edge = EdgeServer.Create(options, logging => LogSetup.Apply(logging, logTarget, format, level), token);
            try
            {
                await edge.StartAsync(cancellationToken).ConfigureAwait(false);
                return edge;
            }
            catch (IOException) when (port != 0)
            {
                await edge.DisposeAsync().ConfigureAwait(false);
            }
        }

        throw new InvalidOperationException("the local edge could not start");
    }

    // The local edge accepts one random token per run; only this process knows it.
    private static string AuthtokenForLocalEdge() => "brw_local_" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    private static (string? Hostname, string? Subdomain) SplitUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return (null, null);
        }

        string host = url.Trim();
        int scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        int cut = host.IndexOfAny([':', '/']);
        if (cut >= 0)
        {
            host = host[..cut];
        }

        return host.Contains('.', StringComparison.Ordinal) ? (host, null) : (null, host);
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

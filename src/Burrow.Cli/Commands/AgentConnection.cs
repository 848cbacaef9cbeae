using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Burrow.Agent;
using Burrow.Cli.Logging;
using Burrow.Edge;
using Microsoft.Extensions.Logging;

namespace Burrow.Cli.Commands;

/// <summary>The options every agent command shares (edge address, token, CA, logs), and the run of an agent with them.</summary>
internal sealed class AgentConnection
{
    private readonly Option<string?> _authtoken = new("--authtoken") { Description = "The edge's authtoken (or BURROW_AUTHTOKEN)." };
    private readonly Option<string?> _server = new("--server", "--connect-url") { Description = "The edge's agent address host:port (or BURROW_SERVER). Without one, a local edge starts in this process." };
    private readonly Option<string?> _serverName = new("--server-name") { Description = "Name expected on the edge's certificate, when --server is an IP address or another name." };
    private readonly Option<string?> _edgeCa = new("--edge-ca") { Description = "PEM CA certificate to trust for the edge (its local CA), instead of the system store (or BURROW_EDGE_CA)." };
    private readonly Option<int> _localHttpsPort = new("--local-https-port") { Description = "HTTPS port of the local edge started when no --server is given (0: any free port).", DefaultValueFactory = _ => 8443 };
    private readonly Option<string> _log = new("--log") { Description = "Where logs go: stdout, stderr or false.", DefaultValueFactory = _ => "false" };
    private readonly Option<string> _logFormat = new("--log-format") { Description = "term, logfmt or json.", DefaultValueFactory = _ => "term" };
    private readonly Option<string> _logLevel = new("--log-level") { Description = "debug, info, warn, error or crit.", DefaultValueFactory = _ => "info" };

    private WebOptions _web = null!;

    private AgentConnection()
    {
    }

    /// <summary>Adds the shared options to <paramref name="command"/>.</summary>
    public static AgentConnection AddTo(Command command)
    {
        var connection = new AgentConnection();
        command.Options.Add(connection._authtoken);
        command.Options.Add(connection._server);
        command.Options.Add(connection._serverName);
        command.Options.Add(connection._edgeCa);
        command.Options.Add(connection._localHttpsPort);
        command.Options.Add(connection._log);
        command.Options.Add(connection._logFormat);
        command.Options.Add(connection._logLevel);
        connection._web = WebOptions.AddTo(command);
        return connection;
    }

    /// <summary>Runs an agent for <paramref name="tunnel"/> until cancelled; returns the exit code.</summary>
    public async Task<int> RunAsync(ParseResult parse, TunnelDefinition tunnel, string commandName, CancellationToken cancellationToken)
    {
        string logTarget = parse.GetValue(_log)!, format = parse.GetValue(_logFormat)!, level = parse.GetValue(_logLevel)!;
        if (LogSetup.Validate(logTarget, format, level) is { } logError)
        {
            return Fail(logError);
        }

        if (_web.Read(parse, out string? webAddress, out long inspectBudget, out int inspectBodyLimit) is { } webError)
        {
            return Fail($"burrow {commandName}: {webError}");
        }

        using ILoggerFactory loggers = LoggerFactory.Create(b => LogSetup.Apply(b, logTarget, format, level));
        string? serverAddress = parse.GetValue(_server) ?? Env("BURROW_SERVER");
        string token = parse.GetValue(_authtoken) ?? Env("BURROW_AUTHTOKEN") ?? "";
        string? caPath = parse.GetValue(_edgeCa) ?? Env("BURROW_EDGE_CA");
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
                    return Fail($"burrow {commandName}: cannot read --edge-ca {caPath}: {ex.Message}");
                }
            }

            if (serverAddress is null)
            {
                token = AuthtokenForLocalEdge();
                localEdge = await StartLocalEdgeAsync(parse.GetValue(_localHttpsPort), token, logTarget, format, level, cancellationToken).ConfigureAwait(false);
                serverAddress = $"127.0.0.1:{localEdge.Endpoints.Agents!.Port}";
                ca = localEdge.LocalCaCertificate;
                Console.WriteLine($"No --server given: started a local edge on 127.0.0.1 (URLs under *.localhost). Trust its CA for HTTPS: {localEdge.LocalCaPath}");
            }

            var runner = new AgentRunner(
                new AgentOptions
                {
                    ServerAddress = serverAddress,
                    ServerName = parse.GetValue(_serverName) ?? (localEdge is null ? null : "localhost"),
                    Authtoken = token,
                    EdgeCa = ca,
                    Tunnels = [tunnel],
                    StateDirectory = AgentOptions.DefaultStateDirectory(),
                    WebAddress = webAddress,
                    InspectBudgetBytes = inspectBudget,
                    InspectBodyLimit = inspectBodyLimit,
                    Output = Console.Out,
                    ErrorOutput = Console.Error,
                },
                loggers.CreateLogger<AgentRunner>());
            return await runner.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            return Fail($"burrow {commandName}: {ex.Message}");
        }
        finally
        {
            if (localEdge is not null)
            {
                await localEdge.DisposeAsync().ConfigureAwait(false);
            }

            ca?.Dispose();
        }
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

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}

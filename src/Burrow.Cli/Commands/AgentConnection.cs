using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Burrow.Agent;
using Burrow.Agent.Tunnels;
using Burrow.Cli.Config;
using Burrow.Cli.Logging;
using Burrow.Cli.Screen;
using Burrow.Edge;
using Microsoft.Extensions.Logging;

namespace Burrow.Cli.Commands;

/// <summary>
/// The options every agent command shares (edge address, token, CA, logs, config file), and the run of an agent with
/// them. Each setting comes from its flag, else its environment variable, else the config file, else its default.
/// </summary>
internal sealed class AgentConnection
{
    private readonly Option<string?> _authtoken = new("--authtoken") { Description = "The edge's authtoken (or BURROW_AUTHTOKEN, or agent.authtoken in the config file)." };
    private readonly Option<string?> _server = new("--server", "--connect-url") { Description = "The edge's agent address host:port (or BURROW_SERVER, or agent.connect_url). Without one, a local edge starts in this process." };
    private readonly Option<string?> _serverName = new("--server-name") { Description = "Name expected on the edge's certificate, when --server is an IP address or another name." };
    private readonly Option<string?> _edgeCa = new("--edge-ca") { Description = "PEM CA certificate to trust for the edge (its local CA), besides the system store (or BURROW_EDGE_CA, or agent.edge_ca)." };
    private readonly Option<int?> _localHttpsPort = new("--local-https-port") { Description = "HTTPS port of the local edge started when no --server is given (0: any free port; default 8443)." };
    private readonly Option<string?> _log = new("--log") { Description = "Where logs go: stdout, stderr or false (default; on a terminal the live console shows instead)." };
    private readonly Option<string?> _logFormat = new("--log-format") { Description = "term (default), logfmt or json." };
    private readonly Option<string?> _logLevel = new("--log-level") { Description = "debug, info (default), warn, error or crit." };
    private readonly Option<string?> _config = ConfigOption();
    private readonly Option<string?> _region = new("--region")
    {
        Description = "ngrok's region: accepted so that tools which drive the ngrok binary work, and ignored (the agent connects to the edge --server names).",
    };
    private readonly Option<int?> _legs = new("--legs")
    {
        Description = "How many edges of a cluster to hold a session with at once, each with every tunnel bound (or agent.legs; default 2 when the edge lists more than one node, else 1).",
    };
    private readonly Option<string> _retry = new("--retry")
    {
        Description = "auto (default): stop after three tries when the edge's name does not resolve or its certificate is not trusted; forever: keep trying.",
        DefaultValueFactory = _ => "auto",
    };

    // AgentOptions' own default, kept when the config file says nothing about web_addr.
    private static readonly string? AgentDefaultWebAddress = new AgentOptions { ServerAddress = "" }.WebAddress;

    private WebOptions _web = null!;

    private AgentConnection()
    {
    }

    /// <summary>The <c>--config</c> option: config files to read, comma-separated; later files win.</summary>
    public static Option<string?> ConfigOption() =>
        new("--config") { Description = "Config file(s) to read, comma-separated (later files win); default BURROW_CONFIG, else ~/.config/burrow/burrow.yml." };

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
        command.Options.Add(connection._config);
        command.Options.Add(connection._region);
        command.Options.Add(connection._legs);
        connection._retry.AcceptOnlyFromAmong("auto", "forever");
        command.Options.Add(connection._retry);
        connection._web = WebOptions.AddTo(command);
        return connection;
    }

    /// <summary>Reads the config files; prints every problem and returns <see langword="null"/> when there is one.</summary>
    public BurrowConfig? LoadConfig(ParseResult parse)
    {
        (IReadOnlyList<string> paths, bool explicitPaths) = ConfigPaths.Resolve(parse.GetValue(_config));
        var problems = new List<ConfigProblem>();
        BurrowConfig config = ConfigLoader.Load(paths, explicitPaths, problems);
        if (problems.Count > 0)
        {
            ConfigOutput.PrintProblems(problems, Console.Error);
            return null;
        }

        ConfigOutput.PrintWarnings(config.Warnings, Console.Error);
        return config;
    }

    /// <summary>Runs an agent for <paramref name="tunnel"/> (from flags) with the config file's agent settings; returns the exit code.</summary>
    public async Task<int> RunAsync(ParseResult parse, TunnelDefinition tunnel, string commandName, CancellationToken cancellationToken) =>
        LoadConfig(parse) is { } config ? await RunAsync(parse, config, [tunnel], commandName, cancellationToken).ConfigureAwait(false) : 2;

    /// <summary>Runs an agent for <paramref name="tunnels"/> until cancelled; returns the exit code.</summary>
    public async Task<int> RunAsync(ParseResult parse, BurrowConfig config, IReadOnlyList<TunnelDefinition> tunnels, string commandName, CancellationToken cancellationToken)
    {
        AgentSettings file = config.Agent;
        string logTarget = parse.GetValue(_log) ?? file.Log ?? "false";
        string format = parse.GetValue(_logFormat) ?? file.LogFormat ?? "term";
        string level = parse.GetValue(_logLevel) ?? file.LogLevel ?? "info";
        if (LogSetup.Validate(logTarget, format, level) is { } logError)
        {
            return Fail(logError);
        }

        int? legs = parse.GetValue(_legs) ?? file.Legs;
        if (legs is < 1 or > AgentOptions.MaxLegs)
        {
            return Fail($"burrow {commandName}: --legs {legs} is not a number of legs from 1 to {AgentOptions.MaxLegs}.");
        }

        long? fileBudget = file.InspectDbSize is > 0 ? file.InspectDbSize : null;
        if (_web.Read(parse, fileBudget, out string? webFlag, out long inspectBudget, out int inspectBodyLimit) is { } webError)
        {
            return Fail($"burrow {commandName}: {webError}");
        }

        if (file.InspectDbSize == -1)
        {
            // ngrok's inspect_db_size: -1 keeps no captures at all, whatever a tunnel asks for.
            tunnels = [.. tunnels.Select(t => t with { Options = t.Options with { Inspect = false } })];
        }

        // --web-addr, then the config file's web_addr, then the default; "false" turns the web interface off.
        string? webSetting = webFlag ?? file.WebAddr;
        bool webOff = webSetting is "false" or "off" or "none";
        string? webAddress = webSetting is null ? AgentDefaultWebAddress : webOff ? null : webSetting;

        // The live console takes the terminal only when nobody asked for log lines and stdout is a terminal.
        bool live = logTarget is "false" or "none" && file.ConsoleUi != "false" && TerminalCheck.StdoutIsTerminal();
        using ILoggerFactory loggers = LoggerFactory.Create(b => LogSetup.Apply(b, logTarget, format, level));
        string? serverAddress = parse.GetValue(_server) ?? Env("BURROW_SERVER") ?? file.ConnectUrl;
        string token = parse.GetValue(_authtoken) ?? Env("BURROW_AUTHTOKEN") ?? file.Authtoken ?? "";
        string? caPath = parse.GetValue(_edgeCa) ?? Env("BURROW_EDGE_CA") ?? file.EdgeCa;
        X509Certificate2? ca = null;
        EdgeServer? localEdge = null;
        var notes = new List<(string Label, string Value)>();
        if (parse.GetValue(_region) is { Length: > 0 } region)
        {
            // On stdout, not stderr: wrappers of the ngrok binary take any stderr output as a failure to start.
            Console.WriteLine($"Note: --region {region} is ngrok's and is ignored here; this agent connects to the edge its server address names.");
        }

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
                int wantedHttpsPort = parse.GetValue(_localHttpsPort) ?? file.LocalHttpsPort ?? 8443;
                localEdge = await StartLocalEdgeAsync(wantedHttpsPort, token, logTarget, format, level, cancellationToken).ConfigureAwait(false);
                if (wantedHttpsPort != 0 && localEdge.Endpoints.Https?.Port is { } httpsPort && httpsPort != wantedHttpsPort)
                {
                    Console.WriteLine($"Port {wantedHttpsPort} is taken: the local edge's HTTPS is on port {httpsPort} instead (choose one with --local-https-port).");
                }

                serverAddress = $"127.0.0.1:{localEdge.Endpoints.Agents!.Port}";
                ca = localEdge.LocalCaCertificate;
                Console.WriteLine($"No --server given: started a local edge on 127.0.0.1 (URLs under *.localhost). Trust its CA for HTTPS: {localEdge.LocalCaPath} (run 'burrow trust' to make browsers trust it).");
                if (localEdge.LocalCaReplacedBecause is { } why)
                {
                    Console.WriteLine($"The local edge made a new CA ({why}): run 'burrow trust' again.");
                }
                if (localEdge.LocalCaPath is { } localCa)
                {
                    notes.Add(("Local Edge CA", localCa));
                }
            }

            var userLines = new NoticeLog();
            var errorLines = new StringWriter();
            var runner = new AgentRunner(
                new AgentOptions
                {
                    ServerAddress = serverAddress,
                    ServerName = parse.GetValue(_serverName) ?? file.ServerName ?? (localEdge is null ? null : "localhost"),
                    Authtoken = token,
                    EdgeCa = ca,
                    RetryForever = parse.GetValue(_retry) == "forever",
                    Legs = legs,
                    Tunnels = tunnels,
                    StateDirectory = AgentOptions.DefaultStateDirectory(),
                    WebAddress = webAddress,
                    InspectBudgetBytes = inspectBudget,
                    InspectBodyLimit = inspectBodyLimit,
                    Metrics = _web.Metrics(parse),
                },
                loggers.CreateLogger<AgentRunner>());
            // On the live console these lines would tear the screen: the console shows the state they describe,
            // and errors are printed once the terminal is restored.
            var words = new AgentEventWriter(live ? userLines : Console.Out, live ? TextWriter.Synchronized(errorLines) : Console.Error);
            runner.EventRaised += words.Write;
            if (!live)
            {
                return await runner.RunAsync(cancellationToken).ConfigureAwait(false);
            }

            int exit = await LiveConsole.RunAsync(runner, notes, webOff, userLines, cancellationToken).ConfigureAwait(false);
            Console.Error.Write(errorLines.ToString());
            return exit;
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
        string dataDir = LocalEdgePaths.DataDirectory();
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

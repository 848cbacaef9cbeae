using System.Globalization;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>A real <c>burrow server</c> on loopback with ephemeral ports, its own data directory and a known token.</summary>
public sealed class EdgeRun : IAsyncDisposable
{
    private readonly TempDirectory? _ownDir;

    private EdgeRun(BurrowProcess process, string dataDir, string token, TempDirectory? ownDir)
    {
        Process = process;
        DataDir = dataDir;
        Token = token;
        _ownDir = ownDir;
    }

    public BurrowProcess Process { get; }

    public string DataDir { get; }

    /// <summary>The token given with --authtoken, or, without one, the authtoken the edge bootstrapped (on first start).</summary>
    public string Token { get; private set; }

    /// <summary>The API key the edge bootstrapped on first start with an empty store, else <see langword="null"/>.</summary>
    public string? BootstrapApiKey { get; private set; }

    public string CaPath => System.IO.Path.Combine(DataDir, "ca.pem");

    public string AgentAddress { get; private set; } = "";

    public int HttpsPort { get; private set; }

    public int HttpPort { get; private set; }

    /// <summary>The port of <c>GET /healthz</c>, when the edge was started with <see cref="WithHealth"/>; else 0.</summary>
    public int HealthPort { get; private set; }

    /// <summary>Arguments that turn on the edge's health listener on a free loopback port.</summary>
    public static IEnumerable<string> WithHealth => ["--health-addr", "127.0.0.1:0"];

    /// <summary>The admin API's base URL (<c>http://127.0.0.1:port</c>), when the admin listener is on.</summary>
    public string? AdminUrl { get; private set; }

    /// <summary>The admin API key the first start printed, else the one kept in the data directory.</summary>
    public string? ApiKey { get; private set; }

    /// <summary>Starts an edge; with <paramref name="token"/> <see langword="null"/> no --authtoken is given, so only the store's tokens work.</summary>
    public static async Task<EdgeRun> StartAsync(string? dataDir = null, string? token = "brw_e2e_test_token", IEnumerable<string>? extra = null, string agentAddr = "127.0.0.1:0", string httpsAddr = "127.0.0.1:0", string httpAddr = "127.0.0.1:0", string adminAddr = "127.0.0.1:0", string logLevel = "warn", IReadOnlyDictionary<string, string>? environment = null)
    {
        TempDirectory? own = dataDir is null ? new TempDirectory() : null;
        dataDir ??= own!.Path;
        List<string> args =
        [
            "server", "--agent-addr", agentAddr, "--https-addr", httpsAddr, "--http-addr", httpAddr,
            "--data-dir", dataDir, "--log-level", Environment.GetEnvironmentVariable("BURROW_E2E_EDGE_LOG") ?? logLevel,
            // Never the default 4041: tests run side by side.
            "--admin-addr", adminAddr,
        ];
        if (token is not null)
        {
            args.AddRange(["--authtoken", token]);
        }

        args.AddRange(extra ?? []);
        var process = BurrowProcess.Start(args, environment);
        var run = new EdgeRun(process, dataDir, token ?? "", own);
        try
        {
            // Generous: on a loaded machine a first start (CA, store migrations) can take a while.
            run.AgentAddress = (await process.WaitForLineAsync(@"Agents\s+listening on (\S+)", TimeSpan.FromSeconds(60))).Groups[1].Value;
            run.HttpsPort = Port((await process.WaitForLineAsync(@"HTTPS\s+listening on (\S+),")).Groups[1].Value);
            run.HttpPort = Port((await process.WaitForLineAsync(@"HTTP\s+listening on (\S+),")).Groups[1].Value);
            await process.WaitForLineAsync("^Ready");
            if (process.Output.Contains("The store was empty", StringComparison.Ordinal))
            {
                string bootstrapToken = (await process.WaitForLineAsync(@"^\s+Authtoken: (brw_\S+)")).Groups[1].Value;
                run.BootstrapApiKey = (await process.WaitForLineAsync(@"^\s+API key:\s+(brwk_\S+)")).Groups[1].Value;
                if (token is null)
                {
                    run.Token = bootstrapToken;
                }
            }

            if (System.Text.RegularExpressions.Regex.Match(process.Output, @"Admin\s+listening on (http://\S+)") is { Success: true } admin)
            {
                run.AdminUrl = admin.Groups[1].Value;
            }

            string keyFile = System.IO.Path.Combine(dataDir, "admin-api-key");
            run.ApiKey = run.BootstrapApiKey ?? (File.Exists(keyFile) ? File.ReadAllText(keyFile).Trim() : null);
            if (System.Text.RegularExpressions.Regex.Match(process.Output, @"Health\s+listening on (\S+),") is { Success: true } health)
            {
                run.HealthPort = Port(health.Groups[1].Value);
            }

            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    /// <summary>Arguments that point an agent at this edge.</summary>
    public IEnumerable<string> AgentArgs(string? token = null) =>
        ["--server", AgentAddress, "--server-name", "localhost", "--authtoken", token ?? Token, "--edge-ca", CaPath];

    /// <summary>Reads <c>GET /healthz</c>: the edge's live sessions, tunnels, mux streams and connections.</summary>
    public async Task<EdgeHealth> HealthAsync()
    {
        if (HealthPort == 0)
        {
            throw new InvalidOperationException("Start the edge with EdgeRun.WithHealth to read its health.");
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string json = await client.GetStringAsync(new Uri($"http://127.0.0.1:{HealthPort.ToString(CultureInfo.InvariantCulture)}/healthz"));
        return System.Text.Json.JsonSerializer.Deserialize<EdgeHealth>(json)!;
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _ownDir?.Dispose();
    }

    private static int Port(string endPoint) => int.Parse(endPoint[(endPoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
}

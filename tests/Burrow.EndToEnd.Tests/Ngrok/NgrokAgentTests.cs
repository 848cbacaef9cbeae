using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Ngrok;

/// <summary>
/// The ngrok agent itself (2.3.41, the binary npm's <c>@expo/ngrok-bin-linux-x64</c> ships) against a real
/// <c>burrow server</c>: a config file naming <c>server_addr</c>, <c>root_cas</c> and a Burrow authtoken is all it takes.
/// </summary>
public sealed class NgrokAgentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 90_000)]
    public async Task Http_tunnel_serves_its_https_and_http_urls_and_its_own_api_lists_them()
    {
        await using var edge = await EdgeRun.StartAsync();
        await using var upstream = await Upstream.StartAsync();
        using var dir = new TempDirectory();
        await using var agent = await StartAsync(dir, edge, edge.Token, "http", upstream.Port);

        string[] urls = await PublicUrlsAsync(agent, count: 2);
        Assert.Contains(urls, u => u.StartsWith("https://", StringComparison.Ordinal));
        Assert.Contains(urls, u => u.StartsWith("http://", StringComparison.Ordinal));
        using var client = Clients.Create(edge.CaPath);
        foreach (string url in urls)
        {
            Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(new Uri(url), "/hello"), Ct));
        }

        JsonElement session = Assert.Single((await AdminCli.RunAsync(edge, "sessions", "list", "--json")).Json.EnumerateArray());
        Assert.Equal("ngrok-agent", session.GetProperty("agent_name").GetString());
        Assert.Equal("2.3.41", session.GetProperty("agent_version").GetString());
    }

    [Fact(Timeout = 90_000)]
    public async Task Tcp_tunnel_echoes_a_mebibyte()
    {
        await using var edge = await EdgeRun.StartAsync();
        // An echo, not a half-close: the Go agent ends both directions when one ends (its join), as it does against ngrok's own service.
        await using var upstream = TcpUpstream.Start(TcpUpstream.Mode.Echo);
        using var dir = new TempDirectory();
        await using var agent = await StartAsync(dir, edge, edge.Token, "tcp", upstream.Port);

        var url = new Uri(Assert.Single(await PublicUrlsAsync(agent, count: 1)));
        Assert.Equal("tcp", url.Scheme);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, url.Port, Ct);
        using var stream = new NetworkStream(socket);
        byte[] data = RandomNumberGenerator.GetBytes(1 << 20);
        Task write = stream.WriteAsync(data, Ct).AsTask();
        byte[] echoed = new byte[data.Length];
        await stream.ReadExactlyAsync(echoed, Ct);
        await write;
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(echoed));
    }

    [Fact(Timeout = 120_000)]
    public async Task Edge_killed_and_restarted_the_agent_serves_again()
    {
        await using var upstream = await Upstream.StartAsync();
        using var data = new TempDirectory();
        using var dir = new TempDirectory();
        string agentAddr = $"127.0.0.1:{FreePort.Loopback()}", httpsAddr = $"127.0.0.1:{FreePort.Loopback()}", httpAddr = $"127.0.0.1:{FreePort.Loopback()}";
        var edge = await EdgeRun.StartAsync(data.Path, agentAddr: agentAddr, httpsAddr: httpsAddr, httpAddr: httpAddr);
        await using var agent = await StartAsync(dir, edge, edge.Token, "http", upstream.Port);
        string https = (await PublicUrlsAsync(agent, count: 2)).Single(u => u.StartsWith("https://", StringComparison.Ordinal));
        using var client = Clients.Create(edge.CaPath, timeout: TimeSpan.FromSeconds(5));
        Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(new Uri(https), "/hello"), Ct));

        edge.Process.Kill();
        await edge.DisposeAsync();
        await using var restarted = await EdgeRun.StartAsync(data.Path, agentAddr: agentAddr, httpsAddr: httpsAddr, httpAddr: httpAddr);
        await agent.Process.WaitForLineAsync("msg=\"client session established\"", TimeSpan.FromSeconds(60), skip: 1);

        // The agent binds again with the ids and tokens the first edge gave: the same URL comes back.
        HttpStatusCode last = 0;
        for (int attempt = 0; attempt < 40 && last != HttpStatusCode.OK; attempt++)
        {
            using HttpResponseMessage response = await client.GetAsync(new Uri(new Uri(https), "/hello"), Ct);
            last = response.StatusCode;
            if (last != HttpStatusCode.OK)
            {
                await Task.Delay(250, Ct);
            }
        }

        Assert.True(last == HttpStatusCode.OK, $"{https} did not serve again (last {last}):\n{agent.Process.Output}");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_refused_authtoken_ends_the_agent_with_a_readable_message()
    {
        await using var edge = await EdgeRun.StartAsync();
        using var dir = new TempDirectory();
        await using var agent = await StartAsync(dir, edge, "brw_not_the_token", "http", 9, waitForSession: false);

        await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("ERR_BURROW_1002: The authtoken is not valid.", agent.Process.Output, StringComparison.Ordinal);
        Assert.Contains("ERR_NGROK_105", agent.Process.Output, StringComparison.Ordinal);
    }

    private static async Task<NgrokAgentRun> StartAsync(TempDirectory dir, EdgeRun edge, string token, string proto, int port, bool waitForSession = true)
    {
        await NgrokClients.EnsureInstalledAsync();
        string config = Path.Combine(dir.Path, "ngrok.yml");
        int web = FreePort.Loopback();
        string agentPort = edge.AgentAddress[(edge.AgentAddress.LastIndexOf(':') + 1)..];
        // The two settings a user changes (server_addr, root_cas), the token, and nothing that phones home.
        await File.WriteAllTextAsync(config, $"""
            authtoken: {token}
            server_addr: localhost:{agentPort}
            root_cas: {edge.CaPath}
            web_addr: 127.0.0.1:{web.ToString(CultureInfo.InvariantCulture)}
            update: false
            console_ui: false
            """, Ct);
        var agent = BurrowProcess.StartProgram(NgrokClients.AgentBinary,
            [proto, port.ToString(CultureInfo.InvariantCulture), "--config", config, "--log", "stdout", "--log-format", "logfmt"],
            new Dictionary<string, string> { ["HOME"] = dir.Path });
        if (waitForSession)
        {
            await agent.WaitForLineAsync("msg=\"client session established\"", TimeSpan.FromSeconds(30));
        }

        return new NgrokAgentRun(agent, web);
    }

    /// <summary>The public URLs the agent's own API (<c>GET /api/tunnels</c> on its web address) lists, once it lists <paramref name="count"/>.</summary>
    private static async Task<string[]> PublicUrlsAsync(NgrokAgentRun agent, int count)
    {
        using var api = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (int attempt = 0; attempt < 100; attempt++)
        {
            await agent.Process.WaitForLineAsync("msg=\"started tunnel\"", TimeSpan.FromSeconds(30), skip: count - 1);
            using JsonDocument doc = JsonDocument.Parse(await api.GetStringAsync(new Uri($"http://127.0.0.1:{agent.WebPort.ToString(CultureInfo.InvariantCulture)}/api/tunnels"), Ct));
            string[] urls = [.. doc.RootElement.GetProperty("tunnels").EnumerateArray().Select(t => t.GetProperty("public_url").GetString()!)];
            if (urls.Length >= count)
            {
                return urls;
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException($"the agent's API did not list {count} tunnels:\n{agent.Process.Output}");
    }
}

/// <summary>A running ngrok agent and the port of its own web interface and API.</summary>
public sealed record NgrokAgentRun(BurrowProcess Process, int WebPort) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

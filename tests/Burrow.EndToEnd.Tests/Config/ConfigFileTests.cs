using System.Globalization;
using System.Net;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Config;

/// <summary>The config file with the real executable: <c>burrow config ...</c>, <c>burrow start</c>, and agent settings read by <c>burrow http</c>.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ConfigFileTests
{
    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    [Fact(Timeout = 90_000)]
    public async Task Add_authtoken_and_server_then_start_serves_the_named_endpoint()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync();
        using var home = new TempDirectory();
        var env = Env(home);
        string file = Path.Combine(home.Path, "config", "burrow", "burrow.yml");

        var (exit, output) = await BurrowProcess.RunToEndAsync(["config", "add-authtoken", edge.Token], env);
        Assert.True(exit == 0, output);
        Assert.Contains($"Authtoken saved to configuration file: {file}", output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));

        (exit, output) = await BurrowProcess.RunToEndAsync(["config", "add-server", edge.AgentAddress], env);
        Assert.True(exit == 0, output);
        await File.AppendAllTextAsync(file, $"endpoints:\n  - name: web\n    upstream:\n      url: {I(upstream.Port)}\n", TestContext.Current.CancellationToken);

        await using var agent = BurrowProcess.Start(["start", "web", "--server-name", "localhost", "--edge-ca", edge.CaPath], env);
        var url = new Uri((await agent.WaitForLineAsync(@"^Forwarding (https://\S+) -> http://localhost:" + I(upstream.Port), TimeSpan.FromSeconds(40))).Groups[1].Value);
        using HttpClient client = Clients.Create(edge.CaPath);
        Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello"), TestContext.Current.CancellationToken));
        Assert.DoesNotContain(edge.Token, agent.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90_000)]
    public async Task Http_takes_the_agent_settings_from_the_config_file_and_flags_win()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync();
        using var home = new TempDirectory();
        var env = Env(home);
        string file = Path.Combine(home.Path, "burrow.yml");
        await File.WriteAllTextAsync(file, $"""
            version: 3
            agent:
              authtoken: {edge.Token}
              connect_url: {edge.AgentAddress}
              server_name: localhost
              edge_ca: {edge.CaPath}
            """, TestContext.Current.CancellationToken);
        env["BURROW_CONFIG"] = file;

        await using (var agent = BurrowProcess.Start(["http", I(upstream.Port)], env))
        {
            var url = new Uri((await agent.WaitForLineAsync(@"^Forwarding (https://\S+) -> ", TimeSpan.FromSeconds(40))).Groups[1].Value);
            using HttpClient client = Clients.Create(edge.CaPath);
            Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello"), TestContext.Current.CancellationToken));
        }

        // The flag beats the file: a wrong token on the command line is refused by the edge.
        var (exit, output) = await BurrowProcess.RunToEndAsync(["http", I(upstream.Port), "--authtoken", "brw_wrong_token"], env, TimeSpan.FromSeconds(40));
        Assert.Equal(1, exit);
        Assert.Contains("ERR_BURROW_1002", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90_000)]
    public async Task Two_files_merge_and_the_later_entry_of_a_name_wins()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync();
        using var home = new TempDirectory();
        int deadPort = DeadPort();
        string first = Path.Combine(home.Path, "a.yml");
        string second = Path.Combine(home.Path, "b.yml");
        await File.WriteAllTextAsync(first, $"""
            version: 3
            agent:
              authtoken: brw_stale_token
              connect_url: {edge.AgentAddress}
              server_name: localhost
            endpoints:
              - name: web
                upstream:
                  url: {I(deadPort)}
            """, TestContext.Current.CancellationToken);
        // An ngrok version 2 file: its authtoken and its web tunnel replace the first file's.
        await File.WriteAllTextAsync(second, $"""
            version: "2"
            authtoken: {edge.Token}
            root_cas: {edge.CaPath}
            tunnels:
              web:
                proto: http
                addr: {I(upstream.Port)}
                basic_auth: ["alice:correct-horse"]
            """, TestContext.Current.CancellationToken);

        await using var agent = BurrowProcess.Start(["start", "web", "--config", $"{first},{second}"], Env(home));
        var url = new Uri((await agent.WaitForLineAsync(@"^Forwarding (https://\S+) -> http://localhost:" + I(upstream.Port), TimeSpan.FromSeconds(40))).Groups[1].Value);
        using HttpClient client = Clients.Create(edge.CaPath);
        using var anonymous = await client.GetAsync(new Uri(url, "/hello"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "/hello"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("alice:correct-horse"u8.ToArray()));
        using var authorized = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
        Assert.Equal("hello from upstream", await authorized.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 90_000)]
    public async Task Start_all_runs_every_tunnel_of_an_ngrok_v2_file_and_none_runs_the_agent_alone()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync();
        using var home = new TempDirectory();
        string file = Path.Combine(home.Path, "ngrok.yml");
        await File.WriteAllTextAsync(file, $"""
            authtoken: {edge.Token}
            server_addr: {edge.AgentAddress}
            region: us
            tunnels:
              one:
                proto: http
                addr: {I(upstream.Port)}
                subdomain: one-{Guid.NewGuid():n}
              two:
                proto: http
                addr: localhost:{I(upstream.Port)}
                inspect: false
            """, TestContext.Current.CancellationToken);
        var env = Env(home);
        env["BURROW_CONFIG"] = file;

        await using (var agent = BurrowProcess.Start(["start", "--all", "--server-name", "localhost", "--edge-ca", edge.CaPath], env))
        {
            var one = await agent.WaitForLineAsync(@"^Forwarding (https://one-\S+) -> ", TimeSpan.FromSeconds(40));
            await agent.WaitForLineAsync(@"^Forwarding https://\S+ -> ", skip: 1);
            Assert.Contains("'region' is an ngrok setting with no effect", agent.Output, StringComparison.Ordinal);
            using HttpClient client = Clients.Create(edge.CaPath);
            Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(new Uri(one.Groups[1].Value), "/hello"), TestContext.Current.CancellationToken));
        }

        await using var alone = BurrowProcess.Start(["start", "--none", "--server-name", "localhost", "--edge-ca", edge.CaPath, "--log", "stdout", "--log-level", "debug"], env);
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        Assert.False(alone.HasExited, alone.Output);
        Assert.DoesNotContain("Forwarding", alone.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_version_3_endpoints_inline_traffic_policy_is_enforced_by_the_edge_and_a_bad_one_stops_with_its_line()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync();
        using var home = new TempDirectory();
        string file = Path.Combine(home.Path, "burrow.yml");
        await File.WriteAllTextAsync(file, $$$"""
            version: 3
            agent:
              authtoken: {{{edge.Token}}}
              connect_url: {{{edge.AgentAddress}}}
              server_name: localhost
              edge_ca: {{{edge.CaPath}}}
            endpoints:
              - name: web
                upstream: {url: {{{I(upstream.Port)}}}}
                traffic_policy:
                  on_http_request:
                    - expressions: ["req.url.path == '/private'"]
                      actions:
                        - type: deny
                          config: {status_code: 403}
                    - actions:
                        - type: add-headers
                          config: {headers: {x-from-config: "${req.method} ${req.url.path}"}}
                  on_http_response:
                    - actions:
                        - type: add-headers
                          config: {headers: {x-policy: inline}}
            """, TestContext.Current.CancellationToken);

        await using (var agent = BurrowProcess.Start(["start", "web", "--config", file], Env(home)))
        {
            var url = new Uri((await agent.WaitForLineAsync(@"^Forwarding (https://\S+) -> ", TimeSpan.FromSeconds(40))).Groups[1].Value);
            using HttpClient client = Clients.Create(edge.CaPath);
            using var denied = await client.GetAsync(new Uri(url, "/private"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Equal("ERR_BURROW_3101", denied.Headers.GetValues("Burrow-Error-Code").Single());

            using var headers = await client.GetAsync(new Uri(url, "/headers"), TestContext.Current.CancellationToken);
            Dictionary<string, string> seen = await Http.ErrorPageTests.ReadHeadersAsync(headers);
            Assert.Equal("GET /headers", seen["x-from-config"]);
            Assert.Equal("inline", headers.Headers.GetValues("x-policy").Single());
        }

        // An expression the edge could not compile is caught before connecting, at its line and column in this file.
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken))
            .Replace("req.url.path == '/private'", "req.url.nope == '/private'", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        int line = 1 + Array.FindIndex(await File.ReadAllLinesAsync(file, TestContext.Current.CancellationToken), l => l.Contains("req.url.nope", StringComparison.Ordinal));
        var (exit, output) = await BurrowProcess.RunToEndAsync(["start", "web", "--config", file], Env(home));
        Assert.True(exit == 2, $"exit {exit}:\n{output}");
        Assert.Contains($"ERR_BURROW_7004: {file}:{line}:", output, StringComparison.Ordinal);
        Assert.Contains("nope", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Forwarding", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Config_errors_name_the_file_line_and_key_and_stop_before_connecting()
    {
        using var home = new TempDirectory();
        var env = Env(home);
        string unknownKey = Write(home, "unknown.yml", "version: 3\nagent:\n  authtoken: x\nendpoints:\n  - name: web\n    upstream: {url: 8080}\n    basic_oauth: x\n");
        string badValue = Write(home, "value.yml", "version: 3\nendpoints:\n  - name: web\n    upstream: {url: 8080}\n    basic_auth: ['alice:short']\n");
        string badYaml = Write(home, "yaml.yml", "version: 3\nagent:\n  authtoken: [x\n");
        string noName = Write(home, "noname.yml", "version: 3\nendpoints:\n  - upstream: {url: 8080}\n");
        string good = Write(home, "good.yml", "version: 3\nendpoints:\n  - name: web\n    upstream: {url: 8080}\n");

        await Expect(["start", "web", "--config", unknownKey], $"ERR_BURROW_7003: {unknownKey}:7:5: unknown key 'basic_oauth' in endpoints[0] (web).");
        await Expect(["start", "web", "--config", badValue], $"ERR_BURROW_7004: {badValue}:5:18: invalid value for 'basic_auth[0]': ");
        await Expect(["start", "web", "--config", badYaml], $"ERR_BURROW_7002: {badYaml}:4:1: not valid YAML: ");
        await Expect(["start", "web", "--config", noName], $"ERR_BURROW_7006: {noName}:3:5: 'name' is required in endpoints[0].");
        await Expect(["start", "api", "--config", good], $"ERR_BURROW_7009: No endpoint or tunnel named 'api' in {good}.");
        await Expect(["start", "--config", good], "ERR_BURROW_7010: Nothing to start: no endpoint names given.");
        await Expect(["http", "8080", "--config", Path.Combine(home.Path, "missing.yml")], $"ERR_BURROW_7001: Config file {Path.Combine(home.Path, "missing.yml")} does not exist.");
        // The same problems stop http/tcp/tls too: the agent settings come from the same file.
        await Expect(["http", "8080", "--config", unknownKey], $"ERR_BURROW_7003: {unknownKey}:7:5:");

        async Task Expect(string[] args, string expected)
        {
            var (exit, output) = await BurrowProcess.RunToEndAsync(args, env);
            Assert.True(exit == 2, $"exit {exit} for {string.Join(' ', args)}:\n{output}");
            Assert.Contains("[stderr] " + expected, output, StringComparison.Ordinal);
            Assert.DoesNotContain("Forwarding", output, StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Check_prints_the_path_and_summary_and_edit_runs_the_editor_then_checks()
    {
        using var home = new TempDirectory();
        var env = Env(home);
        string file = Path.Combine(home.Path, "config", "burrow", "burrow.yml");

        var (exit, output) = await BurrowProcess.RunToEndAsync(["config", "check"], env);
        Assert.Equal(1, exit);
        Assert.Contains($"ERR_BURROW_7001: Config file {file} does not exist.", output, StringComparison.Ordinal);

        // The editor: sed, through $EDITOR, turning the new file's empty endpoint list into one endpoint.
        env["EDITOR"] = "sed -i 's/^endpoints: \\[\\]$/endpoints: [{name: web, url: demo, upstream: {url: 8080}}]/'";
        (exit, output) = await BurrowProcess.RunToEndAsync(["config", "edit"], env);
        Assert.True(exit == 0, output);
        Assert.Contains($"Valid configuration file at {file}", output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

        (exit, output) = await BurrowProcess.RunToEndAsync(["config", "check"], env);
        Assert.True(exit == 0, output);
        Assert.Matches(@"web\s+http\s+demo\.<domain> -> http://localhost:8080", output);

        env["EDITOR"] = "false";
        (exit, output) = await BurrowProcess.RunToEndAsync(["config", "edit"], env);
        Assert.Equal(1, exit);
        Assert.Contains("ERR_BURROW_7013: The editor 'false' exited with code 1.", output, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Env(TempDirectory home) => new()
    {
        ["XDG_CONFIG_HOME"] = Path.Combine(home.Path, "config"),
        ["BURROW_STATE_DIR"] = Path.Combine(home.Path, "state"),
        ["XDG_DATA_HOME"] = Path.Combine(home.Path, "data"),
    };

    private static string Write(TempDirectory dir, string name, string text)
    {
        string path = Path.Combine(dir.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static int DeadPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.CommandLine;
using System.Diagnostics;
using Burrow.Cli.Commands;
using Burrow.Cli.Service;
using Burrow.Protocol.Versioning;

namespace Burrow.Cli.Tests.Commands;

/// <summary>
/// <c>burrow service install | uninstall</c> with the unit folder in a temporary directory and systemctl replaced by a
/// recorder (or absent), so nothing of this machine's user manager is touched. systemd-analyze checks the unit itself.
/// </summary>
public sealed class ServiceCommandTests : IDisposable
{
    private const string Program = "/opt/burrow/burrow";

    private readonly TempFolder _dir = new();
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();
    private readonly List<string> _systemctl = [];

    public void Dispose()
    {
        _dir.Dispose();
        _out.Dispose();
        _error.Dispose();
    }

    private string UnitDirectory => Path.Combine(_dir.Path, "systemd", "user");

    private string UnitPath => Path.Combine(UnitDirectory, "burrow-agent.service");

    private string Config() => _dir.Write("burrow.yml", """
        version: 3
        agent:
          authtoken: brw_service
          connect_url: tunnel.example.com:4443
        endpoints:
          - name: web
            upstream: {url: 8080}
          - name: api
            upstream: {url: 3000}
        """);

    [Fact]
    public async Task Dry_run_prints_the_unit_and_the_systemctl_steps_and_writes_nothing()
    {
        string config = Config();

        int exit = await RunAsync("service", "install", "--dry-run", "--config", config);

        Assert.True(exit == 0, _error.ToString());
        string output = _out.ToString();
        Assert.Contains($"It would write {UnitPath}:", output, StringComparison.Ordinal);
        Assert.Contains($"\nExecStart={Program} start --all --config {config} --log stdout --retry forever\n", output, StringComparison.Ordinal);
        Assert.Contains("\nDescription=Burrow agent (burrow start --all)\n", output, StringComparison.Ordinal);
        Assert.Contains("\n[Install]\nWantedBy=default.target\n", output, StringComparison.Ordinal);
        Assert.Contains("\nRestart=on-failure\n", output, StringComparison.Ordinal);
        Assert.Contains("\nRestartPreventExitStatus=2\n", output, StringComparison.Ordinal);
        Assert.Contains("\nNoNewPrivileges=yes\n", output, StringComparison.Ordinal);
        Assert.Contains("#   systemctl --user daemon-reload\n#   systemctl --user enable burrow-agent.service\n#   systemctl --user restart burrow-agent.service\n",
            output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains(Unit(config), output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(UnitDirectory), "--dry-run must write nothing");
        Assert.Empty(_systemctl);
        Assert.Equal("", _error.ToString());
    }

    [Fact]
    public async Task Named_endpoints_are_passed_to_burrow_start_in_order()
    {
        string config = Config();

        int exit = await RunAsync("service", "install", "api", "web", "--dry-run", "--config", config, "--name", "burrow-api");

        Assert.True(exit == 0, _error.ToString());
        Assert.Contains($"ExecStart={Program} start api web --config {config} --log stdout", _out.ToString(), StringComparison.Ordinal);
        Assert.Contains(Path.Combine(UnitDirectory, "burrow-api.service"), _out.ToString(), StringComparison.Ordinal);
        Assert.Contains("systemctl --user enable burrow-api.service", _out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_output_of_dry_run_is_a_unit_systemd_analyze_accepts()
    {
        Assert.True(File.Exists("/usr/bin/systemd-analyze"), "systemd-analyze is missing: apt-get install systemd (scripts/install-test-deps.sh)");
        // A path with a space and a % in it: quoted and escaped, systemd must read it back as one word.
        Directory.CreateDirectory(Path.Combine(_dir.Path, "my configs"));
        string config = _dir.Write(Path.Combine("my configs", "100%.yml"), File.ReadAllText(Config()));

        int exit = await RunWithProgramAsync(["/bin/true"], "service", "install", "--dry-run", "--config", config);
        Assert.True(exit == 0, _error.ToString());
        string unit = _dir.Write("burrow-agent.service", _out.ToString());
        Assert.Contains($"--config \"{config.Replace("%", "%%", StringComparison.Ordinal)}\" --log", _out.ToString(), StringComparison.Ordinal);

        string runtime = Directory.CreateDirectory(Path.Combine(_dir.Path, "runtime")).FullName;
        var (code, said) = await ToolAsync("/usr/bin/systemd-analyze", ["--user", "verify", unit], ("XDG_RUNTIME_DIR", runtime));
        Assert.True(code == 0 && said.Length == 0, said);
    }

    [Fact]
    public async Task Install_writes_the_unit_then_reloads_enables_and_restarts_it()
    {
        string config = Config();

        int exit = await RunAsync("service", "install", "--config", config);

        Assert.True(exit == 0, _error.ToString());
        Assert.Equal(Unit(config), File.ReadAllText(UnitPath));
        Assert.StartsWith(UserUnit.Marker, File.ReadAllText(UnitPath), StringComparison.Ordinal);
        Assert.Equal(["daemon-reload", "enable burrow-agent.service", "restart burrow-agent.service"], _systemctl);
        Assert.Contains("Started burrow-agent.service", _out.ToString(), StringComparison.Ordinal);
        Assert.Contains("loginctl enable-linger tester", _out.ToString(), StringComparison.Ordinal);

        // A second install replaces burrow's own unit.
        Assert.Equal(0, await RunAsync("service", "install", "web", "--config", config));
        Assert.Contains(" start web --config ", File.ReadAllText(UnitPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_systemctl_the_unit_is_written_and_the_steps_are_printed_with_7031()
    {
        string config = Config();

        int exit = await RunAsync(Host(systemctl: null), "service", "install", "--config", config);

        Assert.Equal(1, exit);
        Assert.True(File.Exists(UnitPath));
        string error = _error.ToString();
        Assert.Contains($"ERR_BURROW_7031: The unit {UnitPath} is written, but 'systemctl --user daemon-reload' did not succeed: there is no systemctl on the PATH.", error, StringComparison.Ordinal);
        Assert.Contains("    systemctl --user daemon-reload\n    systemctl --user enable burrow-agent.service\n    systemctl --user restart burrow-agent.service",
            error.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("login session", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_step_says_what_systemctl_said_and_what_is_left_to_run()
    {
        string config = Config();

        int exit = await RunAsync(Host(FailOn("enable", "Failed to connect to bus: No medium found")), "service", "install", "--config", config);

        Assert.Equal(1, exit);
        string error = _error.ToString().ReplaceLineEndings("\n");
        Assert.Contains("'systemctl --user enable burrow-agent.service' did not succeed: Failed to connect to bus: No medium found.", error, StringComparison.Ordinal);
        Assert.Contains("to finish by hand:\n    systemctl --user enable burrow-agent.service\n    systemctl --user restart burrow-agent.service", error, StringComparison.Ordinal);
        Assert.DoesNotContain("    systemctl --user daemon-reload", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_problems_stop_the_install_before_anything_is_written()
    {
        string empty = _dir.Write("empty.yml", "version: 3\nagent:\n  authtoken: brw_x\n");
        Assert.Equal(2, await RunAsync("service", "install", "--config", empty));
        Assert.Contains("ERR_BURROW_7010", _error.ToString(), StringComparison.Ordinal);

        Assert.Equal(2, await RunAsync("service", "install", "nope", "--config", Config()));
        Assert.Contains("ERR_BURROW_7009", _error.ToString(), StringComparison.Ordinal);

        Assert.Equal(2, await RunAsync("service", "install", "--config", Path.Combine(_dir.Path, "missing.yml")));
        Assert.Contains("ERR_BURROW_7001", _error.ToString(), StringComparison.Ordinal);

        Assert.Equal(2, await RunAsync("service", "install", "web", "--all", "--config", Config()));
        Assert.Contains("ERR_BURROW_7020", _error.ToString(), StringComparison.Ordinal);

        Assert.Equal(2, await RunAsync("service", "install", "--name", "../evil", "--config", Config()));
        Assert.Contains("ERR_BURROW_7004", _error.ToString(), StringComparison.Ordinal);

        Assert.False(Directory.Exists(UnitDirectory));
        Assert.Empty(_systemctl);
    }

    [Fact]
    public async Task A_config_without_authtoken_or_edge_is_installed_with_a_warning_for_each()
    {
        string bare = _dir.Write("bare.yml", "version: 3\nendpoints:\n  - name: web\n    upstream: {url: 8080}\n");

        Assert.Equal(0, await RunAsync("service", "install", "--dry-run", "--config", bare));

        Assert.Contains("warning: the config file has no authtoken", _error.ToString(), StringComparison.Ordinal);
        Assert.Contains("burrow config add-server HOST:PORT", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_unit_file_burrow_did_not_write_is_left_alone_with_7033()
    {
        Directory.CreateDirectory(UnitDirectory);
        File.WriteAllText(UnitPath, "[Service]\nExecStart=/usr/bin/my-own-agent\n");

        Assert.Equal(1, await RunAsync("service", "install", "--config", Config()));
        Assert.Equal(1, await RunAsync("service", "uninstall"));

        Assert.Contains($"ERR_BURROW_7033: {UnitPath} exists and was not written by burrow service install", _error.ToString(), StringComparison.Ordinal);
        Assert.Equal("[Service]\nExecStart=/usr/bin/my-own-agent\n", File.ReadAllText(UnitPath));
        Assert.Empty(_systemctl);
    }

    [Fact]
    public async Task Uninstall_stops_and_disables_removes_the_file_and_reloads()
    {
        Assert.Equal(0, await RunAsync("service", "install", "--config", Config()));
        _systemctl.Clear();

        Assert.Equal(0, await RunAsync("service", "uninstall", "--dry-run"));
        Assert.True(File.Exists(UnitPath));
        Assert.Empty(_systemctl);

        int exit = await RunAsync("service", "uninstall");

        Assert.True(exit == 0, _error.ToString());
        Assert.False(File.Exists(UnitPath));
        Assert.Equal(["disable --now burrow-agent.service", "daemon-reload"], _systemctl);
        Assert.Equal(0, await RunAsync("service", "uninstall"));
        Assert.Contains("nothing to remove", _out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Elsewhere_than_Linux_install_refuses_with_7030_but_dry_run_prints()
    {
        string config = Config();

        Assert.Equal(1, await RunAsync(Host(Record, isLinux: false), "service", "install", "--config", config));
        Assert.Contains("ERR_BURROW_7030", _error.ToString(), StringComparison.Ordinal);
        Assert.Contains("launchd", _error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(UnitDirectory));

        Assert.Equal(0, await RunAsync(Host(Record, isLinux: false), "service", "install", "--dry-run", "--config", config));
        Assert.Contains("ExecStart=", _out.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/usr/bin/burrow", "/usr/bin/burrow")]
    [InlineData("start", "start")]
    [InlineData("/home/a b/c.yml", "\"/home/a b/c.yml\"")]
    [InlineData("100%", "100%%")]
    [InlineData("$HOME", "$$HOME")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData(";", "\";\"")]
    [InlineData("", "\"\"")]
    public void Words_of_ExecStart_are_quoted_for_systemd(string word, string expected)
    {
        Assert.Equal(expected, UserUnit.Quote(word));
    }

    [Fact]
    public void A_dotnet_tool_outside_the_usual_places_gets_its_DOTNET_ROOT()
    {
        string unit = UserUnit.Render(["/home/u/.dotnet/tools/burrow"], ["start", "--all"], "0.1.0", "/home/u/.dotnet");

        Assert.Contains("\nEnvironment=DOTNET_ROOT=/home/u/.dotnet\n", unit, StringComparison.Ordinal);
        Assert.DoesNotContain("Environment=", UserUnit.Render(["/usr/bin/burrow"], ["start", "--all"], "0.1.0", null), StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Output)> Record(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        _systemctl.Add(string.Join(' ', arguments));
        return Task.FromResult((0, ""));
    }

    private Func<IReadOnlyList<string>, CancellationToken, Task<(int, string)>> FailOn(string verb, string said) => (arguments, cancellationToken) =>
    {
        _systemctl.Add(string.Join(' ', arguments));
        return Task.FromResult(arguments[0] == verb ? (1, said) : (0, ""));
    };

    private ServiceHost Host(Func<IReadOnlyList<string>, CancellationToken, Task<(int, string)>>? systemctl, bool isLinux = true, IReadOnlyList<string>? program = null) => new()
    {
        Out = _out,
        Error = _error,
        UnitDirectory = UnitDirectory,
        Program = program ?? [Program],
        IsLinux = isLinux,
        Systemctl = systemctl,
        UserName = "tester",
        Lingers = () => false,
    };

    private Task<int> RunAsync(params string[] arguments) => RunAsync(Host(Record), arguments);

    private Task<int> RunWithProgramAsync(string[] program, params string[] arguments) => RunAsync(Host(Record, program: program), arguments);

    private static string Unit(string config) => UserUnit.Render([Program], ["start", "--all", "--config", config], BurrowVersion.Full, null);

    private static Task<int> RunAsync(ServiceHost host, params string[] arguments)
    {
        var root = new RootCommand { ServiceCommand.Create(() => host) };
        return root.Parse(arguments).InvokeAsync();
    }

    private static async Task<(int ExitCode, string Output)> ToolAsync(string program, string[] arguments, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout + stderr).Trim());
    }
}

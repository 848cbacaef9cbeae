using System.Globalization;

namespace Burrow.Packaging.Tests;

/// <summary>
/// The .deb of packaging/deb/build.sh, installed on this machine with dpkg (the test needs root, as CI runs it),
/// then purged: burrow from the PATH, the burrow user and folders, the units checked by systemd-analyze and the
/// edge started the way its unit starts it, as the burrow user.
/// </summary>
public sealed class DebianPackageTests(Artifacts artifacts)
{
    private static readonly Dictionary<string, string?> SystemPath = new() { ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ["LC_ALL"] = "C" };

    [Fact(Timeout = 1_800_000)]
    public async Task The_package_holds_the_binary_the_units_and_the_conffile()
    {
        string deb = await artifacts.DebAsync();

        string info = await ToolAsync("dpkg-deb", "--info", deb);
        string contents = await ToolAsync("dpkg-deb", "--contents", deb);
        string conffiles = await ToolAsync("dpkg-deb", "--info", deb, "conffiles");

        Assert.Contains($" Version: {Repo.Version}\n", info, StringComparison.Ordinal);
        Assert.Contains(" Architecture: amd64\n", info, StringComparison.Ordinal);
        Assert.Contains("libssl3", info, StringComparison.Ordinal);
        foreach (string path in new[] { "./usr/bin/burrow", "./usr/lib/systemd/system/burrow-edge.service", "./usr/lib/systemd/system/burrow-agent@.service", "./etc/burrow/edge.env", "./usr/share/doc/burrow/deploy.md" })
        {
            Assert.Contains(" " + path + "\n", contents.Replace(" -> ", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        }

        Assert.Contains("root/root", contents, StringComparison.Ordinal);
        Assert.Equal("/etc/burrow/edge.env", conffiles.Trim());
    }

    [Fact(Timeout = 1_800_000)]
    public async Task The_example_agent_config_it_ships_passes_config_check()
    {
        string burrow = await artifacts.SingleFileAsync();

        var (exit, output, error) = await Run.ToEndAsync(burrow, ["config", "check", "--config", Repo.File("packaging/deb/agent.example.yml")], Run.WithoutDotnet("/usr/bin:/bin"));

        Assert.True(exit == 0, output + error);
        Assert.Contains("connect_url   tunnel.example.com:4443", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 1_800_000)]
    public async Task Installed_with_dpkg_it_runs_from_the_PATH_its_units_verify_and_purge_removes_it()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("dpkg -i needs root (CI runs the tests as root)");
        }

        Assert.True(File.Exists("/usr/bin/systemd-analyze"), "systemd-analyze is missing: apt-get install systemd (scripts/install-test-deps.sh)");
        var (_, status, _) = await Run.ToEndAsync("dpkg-query", ["-W", "-f=${Status}", "burrow"], SystemPath);
        Assert.False(status.Contains("installed", StringComparison.Ordinal) && !status.Contains("not-installed", StringComparison.Ordinal),
            "a burrow package is installed on this machine already, and the test would replace it: dpkg --purge burrow first");
        string deb = await artifacts.DebAsync();

        try
        {
            string installed = await ToolAsync("dpkg", "-i", deb);
            Assert.Contains("systemctl enable --now burrow-edge", installed, StringComparison.Ordinal);

            // From the PATH, as a person types it.
            string version = await ToolAsync("/bin/sh", "-c", "command -v burrow && burrow --version");
            Assert.Equal(["/usr/bin/burrow", Repo.Version], version.Trim().Split('\n').Select(l => l.Split('+')[0]));

            // The system user and the folders of postinst.
            string[] user = (await ToolAsync("getent", "passwd", "burrow")).Trim().Split(':');
            Assert.True(int.Parse(user[2], CultureInfo.InvariantCulture) < 1000, "burrow must be a system user");
            Assert.Equal("/var/lib/burrow", user[5]);
            Assert.Equal("/usr/sbin/nologin", user[6]);
            Assert.Equal("root:burrow 750", (await ToolAsync("stat", "-c", "%U:%G %a", "/etc/burrow")).Trim());
            Assert.Equal("root:burrow 640", (await ToolAsync("stat", "-c", "%U:%G %a", "/etc/burrow/edge.env")).Trim());
            Assert.Equal("burrow:burrow 750", (await ToolAsync("stat", "-c", "%U:%G %a", "/var/lib/burrow")).Trim());

            // The units as installed, the agent's template with an instance.
            await VerifyAsync("/usr/lib/systemd/system/burrow-edge.service");
            await VerifyAsync("burrow-agent@web.service");

            await EdgeRunsAsTheUnitSaysAsync();

            // A second install (an upgrade in place) keeps working.
            await ToolAsync("dpkg", "-i", deb);
        }
        finally
        {
            await Run.ToEndAsync("dpkg", ["--purge", "burrow"], SystemPath);
        }

        Assert.False(File.Exists("/usr/bin/burrow"));
        Assert.False(Directory.Exists("/var/lib/burrow"));
        Assert.False(Directory.Exists("/etc/burrow"));
        Assert.False(File.Exists("/usr/lib/systemd/system/burrow-edge.service"));
    }

    /// <summary>
    /// The edge's ExecStart as systemd would run it (%S, %C and the env file's flags filled in, listeners moved to free
    /// ports), as the burrow user: it must find its data folder writable and start with its SQLite store there.
    /// </summary>
    private static async Task EdgeRunsAsTheUnitSaysAsync()
    {
        string unit = File.ReadAllText("/usr/lib/systemd/system/burrow-edge.service");
        string execStart = unit.Split('\n').Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..];
        string[] edgeEnv = File.ReadAllLines("/etc/burrow/edge.env");
        Assert.Contains("BURROW_EDGE_ARGS=--health-addr 127.0.0.1:9090", edgeEnv);
        using var cache = new TempDir("burrow-pkg-cache-");
        await ToolAsync("chown", "burrow:burrow", cache.Path);
        string[] listeners = [.. BurrowRun.EdgeArguments("unused").Skip(3)];
        string[] command = [.. execStart.Replace("%S", "/var/lib", StringComparison.Ordinal).Split(' ')
            .SelectMany(word => word == "$BURROW_EDGE_ARGS" ? listeners : [word])];
        Assert.Equal("/usr/bin/burrow", command[0]);
        string extract = unit.Split('\n').Single(l => l.StartsWith("Environment=DOTNET_BUNDLE_EXTRACT_BASE_DIR=", StringComparison.Ordinal)).Split('=', 3)[2]
            .Replace("%C", cache.Path, StringComparison.Ordinal);

        await using var edge = Background.Start("/usr/sbin/runuser", ["-u", "burrow", "--", "/usr/bin/env", $"DOTNET_BUNDLE_EXTRACT_BASE_DIR={extract}", .. command], SystemPath, "/");
        await edge.WaitForLineAsync("Ready.", TimeSpan.FromMinutes(1));

        Assert.Contains("Store    SQLite /var/lib/burrow/edge/burrow.db", edge.Output, StringComparison.Ordinal);
        Assert.Equal("burrow:burrow", (await ToolAsync("stat", "-c", "%U:%G", "/var/lib/burrow/edge/burrow.db")).Trim());
        Assert.Equal(0, await BurrowRun.HealthCheckAsync(BurrowRun.HealthPort(edge.Output)));
    }

    private static async Task VerifyAsync(string unit)
    {
        var (exit, output, error) = await Run.ToEndAsync("systemd-analyze", ["verify", unit], SystemPath);
        Assert.True(exit == 0 && (output + error).Trim().Length == 0, $"systemd-analyze verify {unit}: {output}{error}");
    }

    private static async Task<string> ToolAsync(string program, params string[] arguments)
    {
        var (exit, output, error) = await Run.ToEndAsync(program, arguments, SystemPath);
        Assert.True(exit == 0, $"{program} {string.Join(' ', arguments)} ({exit}): {output}{error}");
        return output + error;
    }
}

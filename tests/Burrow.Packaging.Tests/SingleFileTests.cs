using System.Diagnostics;

namespace Burrow.Packaging.Tests;

/// <summary>The self-contained single-file binary of packaging/publish.sh, copied alone into an empty folder and run with no .NET on the PATH.</summary>
public sealed class SingleFileTests(Artifacts artifacts)
{
    [Fact(Timeout = 1_800_000)]
    public async Task It_runs_alone_from_an_empty_folder_without_dotnet_and_serves_an_edge_with_its_SQLite_store()
    {
        string published = await artifacts.SingleFileAsync();
        Assert.Equal(["burrow"], Directory.GetFiles(Path.GetDirectoryName(published)!).Select(Path.GetFileName));
        using var dir = new TempDir();
        string empty = Directory.CreateDirectory(dir.Combine("empty")).FullName;
        string burrow = Path.Combine(empty, "burrow");
        File.Copy(published, burrow); // with its mode: .NET copies the permission bits on Unix
        // No dotnet anywhere on the PATH, no DOTNET_* variable, a HOME of its own.
        Dictionary<string, string?> environment = Run.WithoutDotnet(dir.Combine("no-such-bin"));
        environment["HOME"] = Directory.CreateDirectory(dir.Combine("home")).FullName;

        var clock = Stopwatch.StartNew();
        var (exit, output, error) = await Run.ToEndAsync(burrow, ["--version"], environment, empty);
        TimeSpan version = clock.Elapsed;

        Assert.True(exit == 0, output + error);
        Assert.StartsWith(Repo.Version + "+", output.Trim(), StringComparison.Ordinal);

        clock.Restart();
        await using var edge = Background.Start(burrow, BurrowRun.EdgeArguments(Path.Combine(empty, "data")), environment, empty);
        await edge.WaitForLineAsync("Ready.", TimeSpan.FromMinutes(1));
        TimeSpan ready = clock.Elapsed;
        Assert.Contains("Store    SQLite", edge.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(empty, "data", "burrow.db")), edge.Output);
        TestContext.Current.SendDiagnosticMessage("single-file linux-x64: {0} bytes; burrow --version {1:F0} ms; burrow server to Ready {2:F0} ms (first start, library unpacked)",
            new FileInfo(burrow).Length, version.TotalMilliseconds, ready.TotalMilliseconds);

        Assert.Equal(0, await edge.StopAsync(TimeSpan.FromMinutes(1)));
        // Nothing but the binary and the data it was told to keep: the SQLite library went to HOME/.net.
        Assert.Equal(["burrow", "data"], Directory.GetFileSystemEntries(empty).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = 1_800_000)]
    public async Task Its_service_install_dry_run_prints_a_unit_that_runs_it_and_that_systemd_analyze_accepts()
    {
        Assert.True(File.Exists("/usr/bin/systemd-analyze"), "systemd-analyze is missing: apt-get install systemd (scripts/install-test-deps.sh)");
        string burrow = await artifacts.SingleFileAsync();
        using var dir = new TempDir();
        string config = dir.Combine("burrow.yml");
        File.WriteAllText(config, "version: 3\nagent:\n  authtoken: brw_x\n  connect_url: tunnel.example.com:4443\nendpoints:\n  - name: web\n    upstream: {url: 8080}\n");
        Dictionary<string, string?> environment = Run.WithoutDotnet("/usr/bin:/bin");
        environment["XDG_CONFIG_HOME"] = dir.Combine("config");

        var (exit, output, error) = await Run.ToEndAsync(burrow, ["service", "install", "--dry-run", "--config", config], environment);

        Assert.True(exit == 0, output + error);
        Assert.Contains($"\nExecStart={burrow} start --all --config {config} --log stdout --retry forever\n", output, StringComparison.Ordinal);
        Assert.Contains(dir.Combine("config", "systemd", "user", "burrow-agent.service"), output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("config")));
        string unit = dir.Combine("burrow-agent.service");
        File.WriteAllText(unit, output);
        string runtime = Directory.CreateDirectory(dir.Combine("runtime")).FullName;
        var (verified, said, saidError) = await Run.ToEndAsync("/usr/bin/systemd-analyze", ["--user", "verify", unit],
            new Dictionary<string, string?> { ["PATH"] = "/usr/bin:/bin", ["XDG_RUNTIME_DIR"] = runtime, ["HOME"] = dir.Path });
        Assert.True(verified == 0 && (said + saidError).Trim().Length == 0, said + saidError);
    }
}

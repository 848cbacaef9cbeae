namespace Burrow.Packaging.Tests;

/// <summary>The dotnet tool of packaging/tool.sh, installed from a local folder feed (and nothing else) and run.</summary>
public sealed class DotnetToolTests(Artifacts artifacts)
{
    [Fact(Timeout = 1_800_000)]
    public async Task The_nupkg_installs_as_a_dotnet_tool_from_a_local_feed_and_runs()
    {
        string feed = await artifacts.ToolFeedAsync();
        Assert.True(File.Exists(Path.Combine(feed, $"burrow.{Repo.Version}.nupkg")), string.Join(", ", Directory.GetFiles(feed)));
        using var dir = new TempDir();
        // Only the local feed: a package of the same name elsewhere can never be picked.
        string config = dir.Combine("nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        string tools = dir.Combine("tools");

        var (installed, output, error) = await Run.ToEndAsync("dotnet", ["tool", "install", "--tool-path", tools, "--configfile", config, "burrow", "--version", Repo.Version],
            timeout: TimeSpan.FromMinutes(5));
        Assert.True(installed == 0, output + error);
        Assert.Contains("burrow", output, StringComparison.Ordinal);

        string burrow = Path.Combine(tools, "burrow");
        var (exit, version, versionError) = await Run.ToEndAsync(burrow, ["--version"]);
        Assert.True(exit == 0, version + versionError);
        Assert.StartsWith(Repo.Version + "+", version.Trim(), StringComparison.Ordinal);

        // The tool is the whole program: its edge starts (with SQLite) and its service unit runs the tool's command.
        await using var edge = Background.Start(burrow, BurrowRun.EdgeArguments(dir.Combine("edge")));
        await edge.WaitForLineAsync("Ready.", TimeSpan.FromMinutes(1));
        Assert.Contains("Store    SQLite", edge.Output, StringComparison.Ordinal);
        File.WriteAllText(dir.Combine("burrow.yml"), "version: 3\nagent:\n  authtoken: brw_x\n  connect_url: tunnel.example.com:4443\nendpoints:\n  - name: web\n    upstream: {url: 8080}\n");
        var (dry, unit, unitError) = await Run.ToEndAsync(burrow, ["service", "install", "--dry-run", "--config", dir.Combine("burrow.yml")]);
        Assert.True(dry == 0, unit + unitError);
        Assert.Contains($"\nExecStart={burrow} start --all", unit, StringComparison.Ordinal);
    }
}

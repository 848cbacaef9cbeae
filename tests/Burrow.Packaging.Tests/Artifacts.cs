[assembly: AssemblyFixture(typeof(Burrow.Packaging.Tests.Artifacts))]

namespace Burrow.Packaging.Tests;

/// <summary>
/// The artifacts under test, each built once by the repository's own script when a test first needs it: the linux-x64
/// single-file binary (packaging/publish.sh), the .deb made from it (packaging/deb/build.sh) and the dotnet tool's
/// package (packaging/tool.sh). Their builds keep their obj/bin in artifacts/test-build, apart from the solution's.
/// </summary>
public sealed class Artifacts : IDisposable
{
    private readonly TempDir _out = new("burrow-artifacts-");
    private readonly Lazy<Task<string>> _singleFile;
    private readonly Lazy<Task<string>> _deb;
    private readonly Lazy<Task<string>> _toolFeed;

    public Artifacts()
    {
        _singleFile = new(PublishAsync);
        _deb = new(BuildDebAsync);
        _toolFeed = new(PackToolAsync);
    }

    private static string BuildDir => Repo.File(Path.Combine("artifacts", "test-build"));

    /// <summary>The path of the linux-x64 single-file <c>burrow</c>.</summary>
    public Task<string> SingleFileAsync() => _singleFile.Value;

    /// <summary>The path of <c>burrow_VERSION_amd64.deb</c>.</summary>
    public Task<string> DebAsync() => _deb.Value;

    /// <summary>The folder holding <c>burrow.VERSION.nupkg</c>, a local feed.</summary>
    public Task<string> ToolFeedAsync() => _toolFeed.Value;

    public void Dispose() => _out.Dispose();

    private async Task<string> PublishAsync()
    {
        string output = await Run.ScriptAsync("packaging/publish.sh", new Dictionary<string, string?>
        {
            ["OUT"] = _out.Combine("single-file"),
            ["BUILD_DIR"] = BuildDir,
        }, "linux-x64");
        TestContext.Current.SendDiagnosticMessage("packaging/publish.sh linux-x64: {0}", output.Trim());
        return _out.Combine("single-file", "linux-x64", "burrow");
    }

    private async Task<string> BuildDebAsync()
    {
        string binary = await SingleFileAsync();
        await Run.ScriptAsync("packaging/deb/build.sh", new Dictionary<string, string?>
        {
            ["BINARY"] = binary,
            ["OUT"] = _out.Combine("deb"),
        });
        return _out.Combine("deb", $"burrow_{Repo.Version}_amd64.deb");
    }

    private async Task<string> PackToolAsync()
    {
        await Run.ScriptAsync("packaging/tool.sh", new Dictionary<string, string?>
        {
            ["OUT"] = _out.Combine("nupkg"),
            ["BUILD_DIR"] = BuildDir,
        });
        return _out.Combine("nupkg");
    }
}

/// <summary>What the tests do with a burrow binary.</summary>
internal static class BurrowRun
{
    /// <summary>An edge on loopback with every listener on a free port, its data in <paramref name="dataDir"/>.</summary>
    public static string[] EdgeArguments(string dataDir) =>
    [
        "server", "--data-dir", dataDir, "--agent-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0",
        "--admin-addr", "127.0.0.1:0", "--health-addr", "127.0.0.1:0",
    ];

    /// <summary>The port of the health listener, from the edge's banner.</summary>
    public static int HealthPort(string banner)
    {
        string line = banner.Split('\n').Single(l => l.StartsWith("Health   listening on ", StringComparison.Ordinal));
        string address = line["Health   listening on ".Length..line.IndexOf(',', StringComparison.Ordinal)];
        return int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs the Dockerfile's HEALTHCHECK command, pointed at <paramref name="port"/>; its exit code.</summary>
    public static async Task<int> HealthCheckAsync(int port)
    {
        string[] command = DockerfileText.HealthCheckCommand();
        string[] pointed = [.. command.Select(word => word.Replace("/dev/tcp/127.0.0.1/9090", $"/dev/tcp/127.0.0.1/{port}", StringComparison.Ordinal))];
        Assert.NotEqual(command, pointed);
        var environment = new Dictionary<string, string?> { ["PATH"] = "/usr/bin:/bin" };
        var (exit, _, _) = await Run.ToEndAsync("/bin/" + pointed[0], pointed[1..], environment, timeout: TimeSpan.FromSeconds(10));
        return exit;
    }
}

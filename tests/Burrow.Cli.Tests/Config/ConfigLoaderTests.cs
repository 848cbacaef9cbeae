using Burrow.Cli.Config;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Tests.Config;

public sealed class ConfigLoaderTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Later_file_wins_key_by_key_and_replaces_entries_of_the_same_name_whole()
    {
        string first = _dir.Write("a.yml", """
            version: 3
            agent:
              authtoken: brw_first
              connect_url: edge-a.example.com:4443
              log_level: debug
            endpoints:
              - name: web
                upstream: {url: 8080}
                basic_auth: ["alice:correct-horse", "bob:battery-staple"]
              - name: api
                upstream: {url: 3000}
            """);
        string second = _dir.Write("b.yml", """
            version: "2"
            authtoken: brw_second
            tunnels:
              web:
                addr: 9090
                basic_auth: ["carol:horse-battery"]
              extra:
                proto: tcp
                addr: 22
            """);
        var problems = new List<ConfigProblem>();

        BurrowConfig config = ConfigLoader.Load([first, second], explicitPaths: true, problems);

        Assert.Empty(problems);
        Assert.Equal([first, second], config.Files);
        // Agent settings: each key from the last file that sets it.
        Assert.Equal("brw_second", config.Agent.Authtoken);
        Assert.Equal("edge-a.example.com:4443", config.Agent.ConnectUrl);
        Assert.Equal("debug", config.Agent.LogLevel);
        // Entries: by name, in first-seen order; a later one replaces the earlier whole, lists included.
        Assert.Equal(["web", "api", "extra"], config.Endpoints.Select(e => e.Name));
        Assert.Equal("http://localhost:9090", config.Find("web")!.Tunnel.Upstream.Display);
        Assert.Equal(["carol:horse-battery"], config.Find("web")!.Tunnel.Options.BasicAuth);
        Assert.Equal(second, config.Find("web")!.Location.File);
        Assert.Equal("http://localhost:3000", config.Find("api")!.Tunnel.Upstream.Display);
    }

    [Fact]
    public void Named_file_that_does_not_exist_is_an_error()
    {
        string missing = Path.Combine(_dir.Path, "nope.yml");
        var problems = new List<ConfigProblem>();

        ConfigLoader.Load([missing], explicitPaths: true, problems);

        ConfigProblem problem = Assert.Single(problems);
        Assert.Same(ErrorCodes.ConfigFileNotFound, problem.Code);
        Assert.Equal($"ERR_BURROW_7001: Config file {missing} does not exist.", problem.ToString());
    }

    [Fact]
    public void Default_file_that_does_not_exist_is_an_empty_config()
    {
        var problems = new List<ConfigProblem>();

        BurrowConfig config = ConfigLoader.Load([Path.Combine(_dir.Path, "burrow.yml")], explicitPaths: false, problems);

        Assert.Empty(problems);
        Assert.Empty(config.Files);
        Assert.Empty(config.Endpoints);
    }

    [Fact]
    public void Directory_in_place_of_a_file_is_unreadable()
    {
        var problems = new List<ConfigProblem>();

        ConfigLoader.Load([_dir.Path], explicitPaths: true, problems);

        Assert.Same(ErrorCodes.ConfigFileUnreadable, Assert.Single(problems).Code);
    }

    [Fact]
    public void Problems_of_every_file_are_reported_each_with_its_own_file()
    {
        string first = _dir.Write("a.yml", "version: 3\nagent:\n  bogus: 1\n");
        string second = _dir.Write("b.yml", "version: 3\nendpoints: [\n");
        var problems = new List<ConfigProblem>();

        ConfigLoader.Load([first, second], explicitPaths: true, problems);

        Assert.Equal(2, problems.Count);
        Assert.StartsWith($"{first}:3:3:", problems[0].Message, StringComparison.Ordinal);
        Assert.StartsWith($"{second}:", problems[1].Message, StringComparison.Ordinal);
    }
}

using Burrow.Agent.Tunnels;
using Burrow.Cli.Commands;
using Burrow.Cli.Config;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Tests.Commands;

public sealed class StartSelectionTests
{
    private static readonly BurrowConfig Config = new()
    {
        Files = ["/etc/burrow.yml"],
        Endpoints = [Entry("web"), Entry("api"), Entry("db")],
    };

    [Fact]
    public void Names_start_in_the_order_given_once_each()
    {
        var problems = new List<ConfigProblem>();

        IReadOnlyList<TunnelDefinition> tunnels = StartCommand.Select(Config, ["db", "web", "db"], all: false, none: false, problems);

        Assert.Empty(problems);
        Assert.Equal(["db", "web"], tunnels.Select(t => t.Name));
    }

    [Fact]
    public void All_starts_every_entry_and_none_starts_nothing()
    {
        var problems = new List<ConfigProblem>();

        Assert.Equal(["web", "api", "db"], StartCommand.Select(Config, [], all: true, none: false, problems).Select(t => t.Name));
        Assert.Empty(StartCommand.Select(Config, [], all: false, none: true, problems));
        Assert.Empty(problems);
    }

    [Fact]
    public void Unknown_name_is_an_error_naming_it_and_the_files()
    {
        var problems = new List<ConfigProblem>();

        StartCommand.Select(Config, ["web", "wbe"], all: false, none: false, problems);

        ConfigProblem problem = Assert.Single(problems);
        Assert.Same(ErrorCodes.UnknownEndpoint, problem.Code);
        Assert.Equal("ERR_BURROW_7009: No endpoint or tunnel named 'wbe' in /etc/burrow.yml.", problem.ToString());
    }

    [Theory]
    [InlineData(false, false, new string[0], "no endpoint names given")]
    [InlineData(false, true, new[] { "web" }, "--none starts no endpoint")]
    [InlineData(true, true, new string[0], "--none starts no endpoint")]
    public void Nothing_or_contradictory_selection_is_an_error(bool all, bool none, string[] names, string reason)
    {
        var problems = new List<ConfigProblem>();

        StartCommand.Select(Config, names, all, none, problems);

        ConfigProblem problem = Assert.Single(problems);
        Assert.Same(ErrorCodes.NothingToStart, problem.Code);
        Assert.Contains(reason, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void All_with_an_empty_config_is_an_error()
    {
        var problems = new List<ConfigProblem>();

        StartCommand.Select(BurrowConfig.Empty, [], all: true, none: false, problems);

        Assert.Same(ErrorCodes.NothingToStart, Assert.Single(problems).Code);
        Assert.Contains("does not exist", problems[0].Message, StringComparison.Ordinal);
    }

    private static EndpointConfig Entry(string name) => new(name, new SourceLocation("/etc/burrow.yml", 1, 1), new TunnelDefinition
    {
        Name = name,
        Upstream = new UpstreamTarget { Scheme = "http", Host = "localhost", Port = 8080 },
    });
}

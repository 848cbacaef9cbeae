using Burrow.Cli.Config;
using Burrow.Protocol.Validation;

namespace Burrow.Cli.Tests.Config;

/// <summary>The config file's <c>hsts</c> and <c>hsts_include_subdomains</c> keys, Burrow's own (ngrok has none).</summary>
public sealed class ConfigHstsTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Hsts_keys_become_the_tunnels_options()
    {
        (ConfigFile file, List<ConfigProblem> problems) = Parse("""
            version: "2"
            tunnels:
              on: {proto: http, addr: 8080, hsts: true}
              days: {proto: http, addr: 8081, hsts: 730d, hsts_include_subdomains: true}
              seconds: {proto: http, addr: 8082, hsts: 3600}
              off: {proto: http, addr: 8083, hsts: false}
            """);

        Assert.Empty(problems);
        Assert.Equal(StrictTransportSecurity.DefaultMaxAge, file.Endpoints[0].Tunnel.Options.HstsMaxAge);
        Assert.Equal((63_072_000L, true), (file.Endpoints[1].Tunnel.Options.HstsMaxAge!.Value, file.Endpoints[1].Tunnel.Options.HstsIncludeSubdomains));
        Assert.Equal(3600, file.Endpoints[2].Tunnel.Options.HstsMaxAge);
        Assert.Null(file.Endpoints[3].Tunnel.Options.HstsMaxAge);
    }

    [Theory]
    [InlineData("{proto: http, addr: 8080, hsts: forever}", "not true, false or a max-age")]
    [InlineData("{proto: http, addr: 8080, hsts: 20y}", "not true, false or a max-age")]
    [InlineData("{proto: tcp, addr: 22, hsts: true}", "hsts")]
    public void Unusable_hsts_is_a_problem_with_its_line(string tunnel, string expected)
    {
        (_, List<ConfigProblem> problems) = Parse($"version: \"2\"\ntunnels:\n  web: {tunnel}\n");

        Assert.Contains(problems, p => p.ToString().Contains(expected, StringComparison.Ordinal) && p.ToString().Contains(":3:", StringComparison.Ordinal));
    }

    private (ConfigFile File, List<ConfigProblem> Problems) Parse(string yaml)
    {
        string path = _dir.Write("burrow.yml", yaml);
        var problems = new List<ConfigProblem>();
        ConfigFile file = new ConfigParser(path, problems).Parse(yaml);
        return (file, problems);
    }
}

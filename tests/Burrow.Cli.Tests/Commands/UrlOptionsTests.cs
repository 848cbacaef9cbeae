using Burrow.Cli.Commands;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Tests.Commands;

public sealed class UrlOptionsTests
{
    [Theory]
    [InlineData("demo", null, null, "demo")]
    [InlineData(null, "demo", null, "demo")]
    [InlineData(null, "Demo", null, "demo")]
    [InlineData("https://demo.tunnel.example.com:8443/x", null, "demo.tunnel.example.com", null)]
    [InlineData(null, null, null, null)]
    public void Url_or_subdomain_gives_the_name_to_ask_for(string? url, string? subdomain, string? hostname, string? label)
    {
        var (gotHostname, gotSubdomain, error) = UrlOptions.Resolve(url, subdomain);

        Assert.Null(error);
        Assert.Equal(hostname, gotHostname);
        Assert.Equal(label, gotSubdomain);
    }

    [Fact]
    public void Url_and_subdomain_together_is_a_conflict()
    {
        var (_, _, error) = UrlOptions.Resolve("demo", "other");

        Assert.True(ErrorCodes.ConflictingOptions.Matches(error));
        Assert.Contains("--url and --subdomain", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Subdomain_with_a_dot_is_refused_with_2003()
    {
        var (_, _, error) = UrlOptions.Resolve(null, "a.b");

        Assert.True(ErrorCodes.InvalidSubdomain.Matches(error));
    }
}

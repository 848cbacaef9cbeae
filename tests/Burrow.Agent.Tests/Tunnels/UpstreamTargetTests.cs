using Burrow.Agent.Tunnels;

namespace Burrow.Agent.Tests.Tunnels;

public sealed class UpstreamTargetTests
{
    [Theory]
    [InlineData("8080", "http://localhost:8080")]
    [InlineData("127.0.0.1:3000", "http://127.0.0.1:3000")]
    [InlineData("http://app.internal:81", "http://app.internal:81")]
    [InlineData("https://localhost", "https://localhost:443")]
    [InlineData("http://[::1]:8080", "http://[::1]:8080")]
    public void Forms_of_the_upstream_argument_parse(string value, string display)
    {
        Assert.True(UpstreamTarget.TryParse(value, out var target, out var error), error);
        Assert.Equal(display, target.Display);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("70000")]
    [InlineData("ftp://x:21")]
    [InlineData("http://localhost:8080/api")]
    [InlineData("file:///definitely/not/here")]
    public void Bad_upstreams_are_refused_with_a_reason(string value)
    {
        Assert.False(UpstreamTarget.TryParse(value, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("5432", "localhost:5432")]
    [InlineData("127.0.0.1:22", "127.0.0.1:22")]
    [InlineData("db.internal:5432", "db.internal:5432")]
    [InlineData("[::1]:6379", "[::1]:6379")]
    public void Forms_of_the_tcp_upstream_argument_parse(string value, string display)
    {
        Assert.True(UpstreamTarget.TryParseTcp(value, out var target, out var error), error);
        Assert.Equal("tcp", target.Scheme);
        Assert.False(target.IsTls);
        Assert.Equal(display, target.Display);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("70000")]
    [InlineData("db.internal")]
    [InlineData("http://localhost:8080")]
    [InlineData("localhost:5432/x")]
    public void Bad_tcp_upstreams_are_refused_with_a_reason(string value)
    {
        Assert.False(UpstreamTarget.TryParseTcp(value, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void File_url_serves_an_existing_directory()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            Assert.True(UpstreamTarget.TryParse(new Uri(dir).AbsoluteUri, out var target, out _));
            Assert.Equal("file", target.Scheme);
            Assert.Equal(dir, target.Directory);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }
}

using Burrow.Agent.Web;

namespace Burrow.Agent.Tests.Web;

public sealed class WebServerTests
{
    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST", true)]
    [InlineData("app.localhost", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("[::1]", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("evil.example", false)]
    [InlineData("localhost.evil.example", false)]
    [InlineData("", false)]
    public void Only_localhost_names_ip_literals_and_the_listen_host_are_allowed(string host, bool allowed)
    {
        Assert.Equal(allowed, WebServer.HostAllowed(host, "127.0.0.1"));
    }

    [Fact]
    public void A_configured_listen_name_is_allowed()
    {
        Assert.True(WebServer.HostAllowed("inspector.lan", "inspector.lan"));
    }

    [Fact]
    public void Header_names_are_shown_in_gos_canonical_form()
    {
        Assert.Equal("Content-Type", ApiJson.Canonical("content-type"));
        Assert.Equal("X-Forwarded-For", ApiJson.Canonical("X-FORWARDED-FOR"));
    }
}

using Burrow.Protocol.Validation;

namespace Burrow.Protocol.Tests.Validation;

public sealed class HostNamesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("my-app")]
    [InlineData("app1")]
    [InlineData("1app")]
    [InlineData("xn--bcher-kva")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")]
    public void Valid_subdomain_is_accepted(string subdomain)
    {
        Assert.True(HostNames.TryValidateSubdomain(subdomain, out var error));
        Assert.Null(error);
        Assert.True(HostNames.IsValidLabel(subdomain));
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData(null, "it is empty")]
    [InlineData("My-App", "it must be lowercase (try 'my-app')")]
    [InlineData("my_app", "the character '_' is not allowed")]
    [InlineData("-app", "must not start or end with '-'")]
    [InlineData("app-", "must not start or end with '-'")]
    [InlineData("a.b", "single label")]
    [InlineData("my app", "U+0020")]
    [InlineData("bücher", "the character 'ü' is not allowed")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234", "longer than 63")]
    public void Invalid_subdomain_returns_2003(string? subdomain, string reason)
    {
        Assert.False(HostNames.TryValidateSubdomain(subdomain, out var error));

        Assert.Equal("ERR_BURROW_2003", error.Code);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app.example.com")]
    [InlineData("localhost")]
    [InlineData("a-b.c-d.example")]
    [InlineData("demo.localhost")]
    [InlineData("1.2.3.example")]
    public void Valid_hostname_is_accepted(string hostname)
    {
        Assert.True(HostNames.TryValidateHostname(hostname, out var error));
        Assert.Null(error);
        Assert.True(HostNames.IsValidHostname(hostname));
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("https://app.example.com", "without a scheme")]
    [InlineData("app.example.com/path", "without a path")]
    [InlineData("app.example.com:443", "without a port")]
    [InlineData("app.example.com.", "trailing dot")]
    [InlineData("App.Example.com", "lowercase (try 'app.example.com')")]
    [InlineData("10.0.0.1", "an IP address is not a hostname")]
    [InlineData("app..example.com", "label '': it is empty")]
    [InlineData("-app.example.com", "label '-app'")]
    [InlineData("*.example.com", "the character '*'")]
    [InlineData("a_b.example.com", "the character '_'")]
    public void Invalid_hostname_returns_2008(string hostname, string reason)
    {
        Assert.False(HostNames.TryValidateHostname(hostname, out var error));

        Assert.Equal("ERR_BURROW_2008", error.Code);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostname_length_limits_apply()
    {
        string label63 = new('a', 63);
        string ok = string.Join('.', label63, label63, label63, new string('b', 61)); // 253
        Assert.Equal(253, ok.Length);
        Assert.True(HostNames.IsValidHostname(ok));
        Assert.False(HostNames.IsValidHostname(ok + "b"));
        Assert.False(HostNames.IsValidHostname(new string('a', 64) + ".example.com"));
    }
}

using Burrow.Protocol.Validation;

namespace Burrow.Protocol.Tests.Validation;

public sealed class HostHeaderRuleTests
{
    [Theory]
    [InlineData(null, HostHeaderMode.Preserve, null)]
    [InlineData("", HostHeaderMode.Preserve, null)]
    [InlineData("preserve", HostHeaderMode.Preserve, null)]
    [InlineData("rewrite", HostHeaderMode.Rewrite, null)]
    [InlineData("Rewrite", HostHeaderMode.Rewrite, null)]
    [InlineData("localhost", HostHeaderMode.Literal, "localhost")]
    [InlineData("localhost:8080", HostHeaderMode.Literal, "localhost:8080")]
    [InlineData("App.Example.com", HostHeaderMode.Literal, "App.Example.com")]
    [InlineData("10.0.0.5:3000", HostHeaderMode.Literal, "10.0.0.5:3000")]
    [InlineData("[::1]:8080", HostHeaderMode.Literal, "[::1]:8080")]
    [InlineData("[2001:db8::1]", HostHeaderMode.Literal, "[2001:db8::1]")]
    public void Valid_value_parses(string? value, HostHeaderMode mode, string? literal)
    {
        Assert.True(HostHeaderRule.TryParse(value, out var rule, out var error));

        Assert.Null(error);
        Assert.Equal(mode, rule.Mode);
        Assert.Equal(literal, rule.Value);
    }

    [Theory]
    [InlineData("http://localhost:8080")]
    [InlineData("localhost:0")]
    [InlineData("localhost:65536")]
    [InlineData("localhost:")]
    [InlineData("localhost:80:80")]
    [InlineData("::1")]
    [InlineData("[::1")]
    [InlineData("[::1]8080")]
    [InlineData("[10.0.0.1]")]
    [InlineData("under_score.example.com")]
    [InlineData("10.0.0.0/8")]
    [InlineData("evil.example.com\r\nX: y")]
    public void Invalid_value_returns_2004(string value)
    {
        Assert.False(HostHeaderRule.TryParse(value, out var rule, out var error));

        Assert.Null(rule);
        Assert.Equal("ERR_BURROW_2004", error.Code);
        Assert.StartsWith("Invalid host_header ", error.Message, StringComparison.Ordinal);
    }
}

using Burrow.Protocol.Validation;

namespace Burrow.Protocol.Tests.Validation;

public sealed class HeaderRuleTests
{
    [Theory]
    [InlineData("X-Env:dev", "X-Env", "dev")]
    [InlineData("X-Env: dev ", "X-Env", "dev")]
    [InlineData("X-Empty:", "X-Empty", "")]
    [InlineData("X-Url:https://a.example.com:8443/x", "X-Url", "https://a.example.com:8443/x")]
    [InlineData("x_weird.name!#$%&'*+^`|~:v", "x_weird.name!#$%&'*+^`|~", "v")]
    public void Valid_addition_parses(string entry, string name, string value)
    {
        Assert.True(HeaderAddition.TryParse(entry, out var addition, out var error));

        Assert.Null(error);
        Assert.Equal(name, addition.Name);
        Assert.Equal(value, addition.Value);
    }

    [Theory]
    [InlineData("NoColon", "expected Name:value")]
    [InlineData(":value", "the header name is empty")]
    [InlineData("X Env:dev", "the header name may contain only")]
    [InlineData("X-Env :dev", "the header name may contain only")]
    [InlineData("X-Env:dev\r\nX-Injected: 1", "printable ASCII")]
    [InlineData("X-Env:caf\u00e9", "printable ASCII")]
    [InlineData("Content-Length:0", "managed by the proxy")]
    [InlineData("host:evil.example.com", "managed by the proxy")]
    [InlineData("Transfer-Encoding:chunked", "managed by the proxy")]
    public void Invalid_addition_returns_2004(string entry, string reason)
    {
        Assert.False(HeaderAddition.TryParse(entry, out _, out var error, "request_header_add[0]"));

        Assert.Equal("ERR_BURROW_2004", error.Code);
        Assert.StartsWith("Invalid request_header_add[0] ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("Cookie")]
    [InlineData("x-powered-by")]
    public void Valid_removal_is_accepted(string name)
    {
        Assert.True(HeaderNames.TryValidateRemoval(name, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("Bad Name")]
    [InlineData("Name:value")]
    [InlineData("Connection")]
    [InlineData("HOST")]
    public void Invalid_removal_returns_2004(string? name)
    {
        Assert.False(HeaderNames.TryValidateRemoval(name, out var error, "response_header_remove[1]"));

        Assert.Equal("ERR_BURROW_2004", error.Code);
        Assert.StartsWith("Invalid response_header_remove[1] ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_long_name_is_refused()
    {
        Assert.False(HeaderNames.TryValidateRemoval(new string('a', HeaderNames.MaxNameLength + 1), out _));
        Assert.True(HeaderNames.TryValidateRemoval(new string('a', HeaderNames.MaxNameLength), out _));
    }
}

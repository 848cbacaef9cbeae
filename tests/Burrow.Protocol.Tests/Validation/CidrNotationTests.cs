using Burrow.Protocol.Validation;

namespace Burrow.Protocol.Tests.Validation;

public sealed class CidrNotationTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("192.168.1.0/24", "192.168.1.0/24")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("203.0.113.7", "203.0.113.7/32")]
    [InlineData(" 203.0.113.7/32 ", "203.0.113.7/32")]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("::1", "::1/128")]
    [InlineData("::/0", "::/0")]
    [InlineData("2001:DB8::1/64", "2001:db8::/64")]
    [InlineData("::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104")]
    public void Valid_rule_parses(string value, string expected)
    {
        Assert.True(CidrNotation.TryParse(value, out var network, out var error));

        Assert.Null(error);
        Assert.Equal(expected, network.ToString());
    }

    [Theory]
    [InlineData("10/8")] // would be 0.0.0.0/8
    [InlineData("10.1")] // would be 10.0.0.1
    [InlineData("010.0.0.1")]
    [InlineData("256.0.0.0/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/ 8")]
    [InlineData("2001:db8::/129")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[::1]")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("example.com")]
    [InlineData("")]
    [InlineData(null)]
    public void Invalid_rule_returns_2004_naming_it(string? value)
    {
        Assert.False(CidrNotation.TryParse(value, out _, out var error, "cidr_deny[2]"));

        Assert.Equal("ERR_BURROW_2004", error.Code);
        Assert.StartsWith("Invalid cidr_deny[2] ", error.Message, StringComparison.Ordinal);
        if (!string.IsNullOrEmpty(value))
        {
            Assert.Contains(value, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parsed_range_contains_what_it_should()
    {
        Assert.True(CidrNotation.TryParse("10.0.0.0/8", out var network, out _));

        Assert.True(network.Contains(System.Net.IPAddress.Parse("10.200.1.1")));
        Assert.False(network.Contains(System.Net.IPAddress.Parse("11.0.0.1")));
    }
}

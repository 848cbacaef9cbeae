using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;
using Burrow.Protocol.Validation;

namespace Burrow.Protocol.Tests.Validation;

public sealed class StrictTransportSecurityTests
{
    [Theory]
    [InlineData(63_072_000L, false, "max-age=63072000")]
    [InlineData(86_400L, true, "max-age=86400; includeSubDomains")]
    [InlineData(0L, false, "max-age=0")]
    public void Hsts_max_age_becomes_the_header_value(long maxAge, bool includeSubdomains, string expected)
    {
        var options = new EndpointOptions { HstsMaxAge = maxAge, HstsIncludeSubdomains = includeSubdomains };
        Assert.True(EndpointOptionsValidator.TryValidate(options, TunnelProtocols.Http, out var validated, out _));
        Assert.Equal(expected, validated.StrictTransportSecurity);
    }

    [Fact]
    public void No_hsts_by_default()
    {
        Assert.True(EndpointOptionsValidator.TryValidate(new EndpointOptions(), TunnelProtocols.Http, out var validated, out _));
        Assert.Null(validated.StrictTransportSecurity);
    }

    [Theory]
    [InlineData(-1L, false, TunnelProtocols.Http, "hsts_max_age -1")]
    [InlineData(315_360_001L, false, TunnelProtocols.Http, "hsts_max_age 315360001")]
    [InlineData(null, true, TunnelProtocols.Http, "hsts_include_subdomains")]
    [InlineData(3600L, false, TunnelProtocols.Tcp, "hsts_max_age")]
    [InlineData(null, true, TunnelProtocols.Tls, "hsts_include_subdomains")]
    public void Unusable_hsts_is_refused_with_2004_naming_the_option(long? maxAge, bool includeSubdomains, string proto, string named)
    {
        var options = new EndpointOptions { HstsMaxAge = maxAge, HstsIncludeSubdomains = includeSubdomains };
        Assert.False(EndpointOptionsValidator.TryValidate(options, proto, out _, out var error));
        Assert.Equal("ERR_BURROW_2004", error.Code);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bind_without_hsts_carries_no_hsts_field()
    {
        string json = ControlMessageSerializer.SerializeToJson(new BindMessage { RequestId = "1", Proto = "http" });
        Assert.DoesNotContain("hsts", json, StringComparison.Ordinal);
        json = ControlMessageSerializer.SerializeToJson(new BindMessage { RequestId = "1", Proto = "http", Options = new EndpointOptions { HstsMaxAge = 60, HstsIncludeSubdomains = true } });
        Assert.Contains("\"hsts_max_age\":60,\"hsts_include_subdomains\":true", json, StringComparison.Ordinal);
    }
}

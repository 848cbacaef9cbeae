using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;
using Burrow.Protocol.Validation;

namespace Burrow.Protocol.Tests.Validation;

public sealed class EndpointOptionsValidatorTests
{
    [Fact]
    public void Default_options_validate_to_no_policy()
    {
        Assert.True(EndpointOptionsValidator.TryValidate(new EndpointOptions(), TunnelProtocols.Http, out var validated, out var error));

        Assert.Null(error);
        Assert.Empty(validated.BasicAuth);
        Assert.Empty(validated.CidrAllow);
        Assert.Equal(HostHeaderMode.Preserve, validated.HostHeader.Mode);
        Assert.Equal(UpstreamProtocols.Http1, validated.UpstreamProtocol);
        Assert.True(validated.Inspect);
    }

    [Fact]
    public void Every_option_is_parsed()
    {
        var options = new EndpointOptions
        {
            BasicAuth = ["alice:correct-horse", "bob:battery-staple"],
            CidrAllow = ["10.0.0.0/8", "2001:db8::/32"],
            CidrDeny = ["10.1.2.3"],
            RequestHeaderAdd = ["X-Env: dev"],
            RequestHeaderRemove = ["Cookie"],
            ResponseHeaderAdd = ["X-Frame-Options:DENY"],
            ResponseHeaderRemove = ["Server"],
            HostHeader = "localhost:8080",
            UpstreamProtocol = "http2",
            Inspect = false,
        };

        Assert.True(EndpointOptionsValidator.TryValidate(options, TunnelProtocols.Http, out var validated, out _));

        Assert.Equal(["alice", "bob"], validated.BasicAuth.Select(c => c.User));
        Assert.Equal(["10.0.0.0/8", "2001:db8::/32"], validated.CidrAllow.Select(n => n.ToString()));
        Assert.Equal("10.1.2.3/32", Assert.Single(validated.CidrDeny).ToString());
        Assert.Equal(new HeaderAddition { Name = "X-Env", Value = "dev" }, Assert.Single(validated.RequestHeaderAdd));
        Assert.Equal(["Cookie"], validated.RequestHeaderRemove);
        Assert.Equal("DENY", Assert.Single(validated.ResponseHeaderAdd).Value);
        Assert.Equal(["Server"], validated.ResponseHeaderRemove);
        Assert.Equal(new HostHeaderRule { Mode = HostHeaderMode.Literal, Value = "localhost:8080" }, validated.HostHeader);
        Assert.Equal("http2", validated.UpstreamProtocol);
        Assert.False(validated.Inspect);
    }

    [Theory]
    [InlineData("basic_auth[1]", "Invalid basic_auth[1] \"bob:***\": the password must be at least 8 characters.")]
    [InlineData("cidr_allow[0]", "Invalid cidr_allow[0] \"10/8\": not an IPv4 or IPv6 address or CIDR range such as 10.0.0.0/8 or 2001:db8::/32.")]
    [InlineData("cidr_deny[0]", "Invalid cidr_deny[0] \"nope\": not an IPv4 or IPv6 address or CIDR range such as 10.0.0.0/8 or 2001:db8::/32.")]
    [InlineData("request_header_add[0]", "Invalid request_header_add[0] \"Bad Name:x\": the header name may contain only letters, digits and !#$%&'*+-.^_`|~.")]
    [InlineData("request_header_remove[0]", "Invalid request_header_remove[0] \"Content-Length\": Content-Length is managed by the proxy and cannot be changed by a rule.")]
    [InlineData("response_header_add[0]", "Invalid response_header_add[0] \"novalue\": expected Name:value.")]
    [InlineData("response_header_remove[0]", "Invalid response_header_remove[0] \"\": the header name is empty.")]
    [InlineData("host_header", "Invalid host_header \"http://x\": expected rewrite, preserve or host[:port]; give the host without a scheme such as http://.")]
    [InlineData("upstream_protocol", "Invalid upstream_protocol \"http3\": expected http1 or http2.")]
    public void First_bad_value_is_reported_as_2004_by_name(string option, string message)
    {
        EndpointOptions options = option switch
        {
            "basic_auth[1]" => new() { BasicAuth = ["alice:correct-horse", "bob:short"] },
            "cidr_allow[0]" => new() { CidrAllow = ["10/8"] },
            "cidr_deny[0]" => new() { CidrDeny = ["nope"] },
            "request_header_add[0]" => new() { RequestHeaderAdd = ["Bad Name:x"] },
            "request_header_remove[0]" => new() { RequestHeaderRemove = ["Content-Length"] },
            "response_header_add[0]" => new() { ResponseHeaderAdd = ["novalue"] },
            "response_header_remove[0]" => new() { ResponseHeaderRemove = [""] },
            "host_header" => new() { HostHeader = "http://x" },
            _ => new() { UpstreamProtocol = "http3" },
        };

        Assert.False(EndpointOptionsValidator.TryValidate(options, TunnelProtocols.Http, out var validated, out var error));

        Assert.Null(validated);
        Assert.Equal("ERR_BURROW_2004", error.Code);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("tls")]
    public void Http_only_options_are_refused_on_other_tunnels(string proto)
    {
        var options = new EndpointOptions { BasicAuth = ["alice:correct-horse"] };

        Assert.False(EndpointOptionsValidator.TryValidate(options, proto, out _, out var error));

        Assert.Equal($"Invalid basic_auth: it applies to http tunnels only, not {proto}.", error.Message);
    }

    [Fact]
    public void Cidr_rules_apply_to_tcp_tunnels()
    {
        var options = new EndpointOptions { CidrAllow = ["203.0.113.0/24"], Inspect = false };

        Assert.True(EndpointOptionsValidator.TryValidate(options, TunnelProtocols.Tcp, out var validated, out _));
        Assert.Single(validated.CidrAllow);
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("tls")]
    public void Idle_timeout_and_connection_limit_are_parsed_for_tcp_and_tls(string proto)
    {
        var options = new EndpointOptions(inspect: false) { IdleTimeoutMs = 30_000, MaxConnections = 25 };

        Assert.True(EndpointOptionsValidator.TryValidate(options, proto, out var validated, out _));

        Assert.Equal(TimeSpan.FromSeconds(30), validated.IdleTimeout);
        Assert.Equal(25, validated.MaxConnections);
    }

    [Fact]
    public void Absent_limits_stay_absent_so_the_edge_values_apply()
    {
        Assert.True(EndpointOptionsValidator.TryValidate(new EndpointOptions(inspect: false), TunnelProtocols.Tcp, out var validated, out _));

        Assert.Null(validated.IdleTimeout);
        Assert.Null(validated.MaxConnections);
    }

    [Theory]
    [InlineData(0L, "Invalid idle timeout '0ms': it must be a positive duration.")]
    [InlineData(-5L, "Invalid idle timeout '-5ms': it must be a positive duration.")]
    [InlineData(2_592_000_001L, "Invalid idle timeout '2592000001ms': it must be at most 30 days.")]
    public void Bad_idle_timeout_is_2013(long ms, string message)
    {
        var options = new EndpointOptions(inspect: false) { IdleTimeoutMs = ms };

        Assert.False(EndpointOptionsValidator.TryValidate(options, TunnelProtocols.Tcp, out var validated, out var error));

        Assert.Null(validated);
        Assert.Equal("ERR_BURROW_2013", error.Code);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1_000_001)]
    public void Bad_connection_limit_is_2014(int max)
    {
        var options = new EndpointOptions(inspect: false) { MaxConnections = max };

        Assert.False(EndpointOptionsValidator.TryValidate(options, TunnelProtocols.Tls, out _, out var error));

        Assert.Equal("ERR_BURROW_2014", error.Code);
        Assert.Contains($"'{max.ToString(System.Globalization.CultureInfo.InvariantCulture)}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connection_limits_of_1_and_1000000_are_valid()
    {
        Assert.Null(EndpointOptionsValidator.CheckMaxConnections(1));
        Assert.Null(EndpointOptionsValidator.CheckMaxConnections(1_000_000));
        Assert.Null(EndpointOptionsValidator.CheckIdleTimeout(TimeSpan.FromDays(30), "720h"));
    }

    [Fact]
    public void Limits_are_refused_on_http_tunnels_with_2004()
    {
        Assert.False(EndpointOptionsValidator.TryValidate(new EndpointOptions { MaxConnections = 5 }, TunnelProtocols.Http, out _, out var error));

        Assert.Equal("ERR_BURROW_2004", error.Code);
        Assert.Equal("Invalid max_connections: it applies to tcp and tls tunnels only, not http.", error.Message);
    }

    [Fact]
    public void Limits_round_trip_as_snake_case_on_the_wire()
    {
        var bind = new BindMessage
        {
            RequestId = "1", TunnelName = "db", Proto = TunnelProtocols.Tcp,
            Options = new EndpointOptions(inspect: false) { IdleTimeoutMs = 1500, MaxConnections = 7 },
        };

        string json = ControlMessageSerializer.SerializeToJson(bind);
        Assert.Contains("\"idle_timeout_ms\":1500", json, StringComparison.Ordinal);
        Assert.Contains("\"max_connections\":7", json, StringComparison.Ordinal);
        var back = Assert.IsType<BindMessage>(ControlMessageSerializer.Deserialize(System.Text.Encoding.UTF8.GetBytes(json)));
        Assert.Equal(1500, back.Options.IdleTimeoutMs);
        Assert.Equal(7, back.Options.MaxConnections);
    }
}

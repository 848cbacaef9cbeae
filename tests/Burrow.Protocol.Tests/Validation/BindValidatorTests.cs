using Burrow.Protocol.Messages;
using Burrow.Protocol.Validation;

namespace Burrow.Protocol.Tests.Validation;

public sealed class BindValidatorTests
{
    [Theory]
    [InlineData("http", "demo", null, null)]
    [InlineData("http", null, "app.example.com", null)]
    [InlineData("http", null, null, null)]
    [InlineData("tls", null, "app.example.com", null)]
    [InlineData("tcp", null, null, 20001)]
    [InlineData("tcp", null, null, null)]
    public void Valid_bind_is_accepted(string proto, string? subdomain, string? hostname, int? port)
    {
        var bind = new BindMessage { RequestId = "1", Proto = proto, Subdomain = subdomain, Hostname = hostname, RemotePort = port };

        Assert.True(BindValidator.TryValidate(bind, out var options, out var error));

        Assert.Null(error);
        Assert.NotNull(options);
    }

    [Theory]
    [InlineData("udp", null, null, null, "ERR_BURROW_2006", "Unknown tunnel protocol 'udp'; expected http, tcp or tls.")]
    [InlineData("HTTP", null, null, null, "ERR_BURROW_2006", "Unknown tunnel protocol 'HTTP'; expected http, tcp or tls.")]
    [InlineData("http", "My_App", null, null, "ERR_BURROW_2003", "'My_App' is not a valid subdomain: it must be lowercase (try 'my_app').")]
    [InlineData("http", null, "https://x.example.com", null, "ERR_BURROW_2008", "'https://x.example.com' is not a valid hostname: give the hostname without a scheme such as https://.")]
    [InlineData("http", "demo", "app.example.com", null, "ERR_BURROW_2004", "Invalid hostname: give either hostname or subdomain, not both.")]
    [InlineData("tcp", "demo", null, null, "ERR_BURROW_2004", "Invalid subdomain: tcp tunnels are reached by port; omit subdomain.")]
    [InlineData("tcp", null, "a.example.com", null, "ERR_BURROW_2004", "Invalid hostname: tcp tunnels are reached by port; omit hostname.")]
    [InlineData("http", null, null, 8080, "ERR_BURROW_2004", "Invalid remote_port: it applies to tcp tunnels only, not http.")]
    [InlineData("tcp", null, null, 0, "ERR_BURROW_2004", "Invalid remote_port 0: it must be between 1 and 65535.")]
    [InlineData("tcp", null, null, 70000, "ERR_BURROW_2004", "Invalid remote_port 70000: it must be between 1 and 65535.")]
    public void Invalid_bind_is_refused_with_its_code(string proto, string? subdomain, string? hostname, int? port, string code, string message)
    {
        var bind = new BindMessage { RequestId = "1", Proto = proto, Subdomain = subdomain, Hostname = hostname, RemotePort = port };

        Assert.False(BindValidator.TryValidate(bind, out var options, out var error));

        Assert.Null(options);
        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Empty_request_id_is_refused()
    {
        Assert.False(BindValidator.TryValidate(new BindMessage { RequestId = "", Proto = "http" }, out _, out var error));
        Assert.Equal("Invalid request_id: it is empty.", error.Message);
    }

    [Fact]
    public void Bad_options_are_reported()
    {
        var bind = new BindMessage { RequestId = "1", Proto = "http", Options = new EndpointOptions { CidrDeny = ["x"] } };

        Assert.False(BindValidator.TryValidate(bind, out _, out var error));
        Assert.StartsWith("Invalid cidr_deny[0]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Proto_echo_is_cleaned_of_control_characters()
    {
        var bind = new BindMessage { RequestId = "1", Proto = "ht\ntp" };

        Assert.False(BindValidator.TryValidate(bind, out _, out var error));
        Assert.Equal("Unknown tunnel protocol 'ht?tp'; expected http, tcp or tls.", error.Message);
    }
}

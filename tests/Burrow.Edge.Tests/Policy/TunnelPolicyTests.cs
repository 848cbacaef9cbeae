using System.Net;
using System.Text;
using Burrow.Edge.Policy;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Validation;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Tests.Policy;

public sealed class TunnelPolicyTests
{
    private static TunnelPolicy Policy(EndpointOptions options)
    {
        Assert.True(EndpointOptionsValidator.TryValidate(options, TunnelProtocols.Http, out var validated, out var error), error?.ToString());
        return new TunnelPolicy(validated);
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("10.9.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("::ffff:10.1.2.3", true)]
    public void Deny_wins_over_allow_and_mapped_addresses_count_as_ipv4(string address, bool allowed)
    {
        var policy = Policy(new EndpointOptions { CidrAllow = ["10.0.0.0/8"], CidrDeny = ["10.9.0.0/16"] });

        Assert.Equal(allowed, policy.IsAddressAllowed(IPAddress.Parse(address)));
    }

    [Fact]
    public void No_rules_allow_everyone()
    {
        Assert.True(Policy(new EndpointOptions()).IsAddressAllowed(IPAddress.Parse("203.0.113.1")));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("Bearer abc", false)]
    [InlineData("Basic !!!notbase64", false)]
    [InlineData("Basic alice:correct-horse", false)]
    public void Basic_auth_refuses_missing_or_malformed_credentials(string? header, bool expected)
    {
        var context = new DefaultHttpContext();
        if (header is not null)
        {
            context.Request.Headers.Authorization = header;
        }

        Assert.Equal(expected, Policy(new EndpointOptions { BasicAuth = ["alice:correct-horse"] }).IsAuthorized(context.Request));
    }

    [Theory]
    [InlineData("alice:correct-horse", true)]
    [InlineData("bob:battery-staple", true)]
    [InlineData("alice:battery-staple", false)]
    [InlineData("alice:correct-hors", false)]
    public void Basic_auth_accepts_any_configured_credential(string credential, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credential));

        var policy = Policy(new EndpointOptions { BasicAuth = ["alice:correct-horse", "bob:battery-staple"] });

        Assert.Equal(expected, policy.IsAuthorized(context.Request));
    }
}

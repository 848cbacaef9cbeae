using System.Net;
using Burrow.Edge.Certificates.OnDemand;

namespace Burrow.Edge.Tests.Certificates.OnDemand;

public sealed class OnDemandSettingsTests
{
    private static readonly IPEndPoint Http = new(IPAddress.Loopback, 80), Https = new(IPAddress.Loopback, 443);

    [Fact]
    public void Default_challenge_is_http01_with_the_http_listener_and_tls_alpn01_without_it()
    {
        Assert.Equal("http-01", OnDemandSettings.ChallengeFor(new EdgeOptions { HttpEndPoint = Http, HttpsEndPoint = Https }));
        Assert.Equal("tls-alpn-01", OnDemandSettings.ChallengeFor(new EdgeOptions { HttpEndPoint = null, HttpsEndPoint = Https }));
        Assert.Equal("tls-alpn-01", OnDemandSettings.ChallengeFor(new EdgeOptions { HttpEndPoint = Http, HttpsEndPoint = Https, AcmeChallenge = "tls-alpn-01" }));
    }

    [Fact]
    public void Challenge_whose_listener_is_off_or_unknown_is_refused_with_5206()
    {
        Assert.Null(OnDemandSettings.Validate(new EdgeOptions { HttpEndPoint = Http, AcmeChallenge = "http-01" }));
        Assert.Null(OnDemandSettings.Validate(new EdgeOptions { HttpEndPoint = null }));

        string? noHttp = OnDemandSettings.Validate(new EdgeOptions { HttpEndPoint = null, AcmeChallenge = "http-01" });
        Assert.StartsWith("ERR_BURROW_5206", noHttp, StringComparison.Ordinal);
        Assert.Contains("--http-addr is off", noHttp, StringComparison.Ordinal);
        string? noHttps = OnDemandSettings.Validate(new EdgeOptions { HttpsEndPoint = null, AcmeChallenge = "tls-alpn-01" });
        Assert.Contains("--https-addr is off", noHttps, StringComparison.Ordinal);
        Assert.Contains("not a challenge type", OnDemandSettings.Validate(new EdgeOptions { AcmeChallenge = "dns-01" }), StringComparison.Ordinal);
    }
}

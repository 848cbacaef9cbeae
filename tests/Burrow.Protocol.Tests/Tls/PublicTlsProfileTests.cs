using System.Net.Security;
using System.Security.Authentication;
using Burrow.Protocol.Tls;

namespace Burrow.Protocol.Tests.Tls;

public sealed class PublicTlsProfileTests
{
    [Fact]
    public void Public_profile_is_tls12_and_13_with_aead_suites_only()
    {
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, PublicTlsProfile.Protocols);
        Assert.All(PublicTlsProfile.Suites, suite =>
        {
            string name = suite.ToString();
            Assert.DoesNotContain("CBC", name, StringComparison.Ordinal);
            Assert.True(name.Contains("GCM", StringComparison.Ordinal) || name.Contains("CHACHA20_POLY1305", StringComparison.Ordinal), name);
            Assert.True(name.StartsWith("TLS_AES", StringComparison.Ordinal) || name.StartsWith("TLS_CHACHA20", StringComparison.Ordinal) || name.StartsWith("TLS_ECDHE_", StringComparison.Ordinal), name);
        });
    }

    [Fact]
    public void Apply_sets_the_protocols_and_on_linux_the_suites()
    {
        var options = PublicTlsProfile.Apply(new SslServerAuthenticationOptions());
        Assert.Equal(PublicTlsProfile.Protocols, options.EnabledSslProtocols);
        if (OperatingSystem.IsLinux())
        {
            Assert.NotNull(options.CipherSuitesPolicy);
            Assert.Equal(PublicTlsProfile.Suites.Order(), options.CipherSuitesPolicy.AllowedCipherSuites.Order());
        }
    }
}

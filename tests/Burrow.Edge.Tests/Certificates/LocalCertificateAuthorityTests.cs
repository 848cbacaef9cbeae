using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Edge.Certificates;

namespace Burrow.Edge.Tests.Certificates;

public sealed class LocalCertificateAuthorityTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "burrow-ca-tests-" + Guid.NewGuid().ToString("n"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void New_CA_has_critical_name_constraints_for_localhost_its_domain_and_loopback()
    {
        LocalCertificateAuthority ca = LocalCertificateAuthority.LoadOrCreate(_dir, "tunnel.example.com", TimeProvider.System);

        X509Extension? extension = ca.Certificate.Extensions[NameConstraints.Oid];
        Assert.NotNull(extension);
        Assert.True(extension.Critical);
        var (dns, ranges) = NameConstraints.ReadPermitted(extension);
        Assert.Equal(["localhost", ".localhost", "tunnel.example.com", ".tunnel.example.com"], dns);
        Assert.Equal([(IPAddress.Parse("127.0.0.0"), 8), (IPAddress.IPv6Loopback, 128)], ranges);
    }

    [Fact]
    public void New_CA_lives_two_years_and_names_its_domain()
    {
        LocalCertificateAuthority ca = LocalCertificateAuthority.LoadOrCreate(_dir, "localhost", TimeProvider.System);

        TimeSpan life = ca.Certificate.NotAfter - ca.Certificate.NotBefore;
        Assert.InRange(life.TotalDays, 700, 750);
        Assert.Equal("Burrow local CA for localhost", ca.Certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
    }

    [Fact]
    public void Localhost_domain_permits_localhost_names_only_once()
    {
        Assert.Equal(["localhost", ".localhost"], NameConstraints.DnsNamesFor("localhost"));
        Assert.Equal(["localhost", ".localhost"], NameConstraints.DnsNamesFor("tunnel.localhost"));
    }

    [Theory]
    [InlineData("foo.localhost", true)]
    [InlineData("localhost", true)]
    [InlineData("app.tunnel.example.com", true)]
    [InlineData("example.com", false)]
    [InlineData("tunnel.example.com.evil.test", false)]
    public void Chain_builds_only_for_names_the_constraint_permits(string name, bool permitted)
    {
        LocalCertificateAuthority ca = LocalCertificateAuthority.LoadOrCreate(_dir, "tunnel.example.com", TimeProvider.System);
        using X509Certificate2 leaf = ca.Issue([name], []);

        using X509Chain chain = CustomRootChain(ca.Certificate);
        bool built = chain.Build(leaf);

        Assert.True(built == permitted, string.Join(", ", chain.ChainStatus.Select(s => s.Status)));
        if (!permitted)
        {
            Assert.Contains(chain.ChainStatus, s => s.Status.HasFlag(X509ChainStatusFlags.HasNotPermittedNameConstraint));
        }
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("192.168.1.10", false)]
    public void Chain_builds_only_for_loopback_addresses(string address, bool permitted)
    {
        LocalCertificateAuthority ca = LocalCertificateAuthority.LoadOrCreate(_dir, "localhost", TimeProvider.System);
        using X509Certificate2 leaf = ca.Issue(["localhost"], [IPAddress.Parse(address)]);

        using X509Chain chain = CustomRootChain(ca.Certificate);

        Assert.True(chain.Build(leaf) == permitted, string.Join(", ", chain.ChainStatus.Select(s => s.Status)));
    }

    [Fact]
    public void Existing_CA_is_kept_while_it_fits()
    {
        LocalCertificateAuthority first = LocalCertificateAuthority.LoadOrCreate(_dir, "localhost", TimeProvider.System);
        LocalCertificateAuthority again = LocalCertificateAuthority.LoadOrCreate(_dir, "localhost", TimeProvider.System);

        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.Null(again.ReplacedBecause);
        Assert.Equal(first.Certificate.Thumbprint, again.Certificate.Thumbprint);
    }

    [Fact]
    public void CA_of_another_domain_is_replaced_and_says_why()
    {
        LocalCertificateAuthority first = LocalCertificateAuthority.LoadOrCreate(_dir, "localhost", TimeProvider.System);
        LocalCertificateAuthority other = LocalCertificateAuthority.LoadOrCreate(_dir, "tunnel.example.com", TimeProvider.System);

        Assert.True(other.Created);
        Assert.NotEqual(first.Certificate.Thumbprint, other.Certificate.Thumbprint);
        Assert.Contains("another domain", other.ReplacedBecause, StringComparison.Ordinal);
    }

    [Fact]
    public void CA_without_name_constraints_from_an_older_build_is_replaced()
    {
        // What earlier builds wrote: a ten-year CA with no constraints.
        Directory.CreateDirectory(_dir);
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var request = new CertificateRequest("CN=Burrow local CA (old), O=Burrow", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            using X509Certificate2 old = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
            File.WriteAllText(Path.Combine(_dir, "ca.pem"), old.ExportCertificatePem());
            File.WriteAllText(Path.Combine(_dir, "ca.key"), key.ExportPkcs8PrivateKeyPem());
        }

        LocalCertificateAuthority ca = LocalCertificateAuthority.LoadOrCreate(_dir, "localhost", TimeProvider.System);

        Assert.True(ca.Created);
        Assert.Contains("no name constraints", ca.ReplacedBecause, StringComparison.Ordinal);
        Assert.NotNull(ca.Certificate.Extensions[NameConstraints.Oid]);
        using X509Certificate2 written = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_dir, "ca.pem"));
        Assert.NotNull(written.Extensions[NameConstraints.Oid]);
    }

    private static X509Chain CustomRootChain(X509Certificate2 root)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain;
    }
}

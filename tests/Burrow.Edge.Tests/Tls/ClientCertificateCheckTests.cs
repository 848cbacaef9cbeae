using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Edge.Tls;

namespace Burrow.Edge.Tests.Tls;

/// <summary>The chain check of mutual TLS: only the tunnel's CAs count, the certificate must be current and for client authentication.</summary>
public sealed class ClientCertificateCheckTests : IDisposable
{
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _ca;
    private readonly ECDsa _otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _otherCa;

    public ClientCertificateCheckTests()
    {
        _ca = Ca("CN=clients", _caKey);
        _otherCa = Ca("CN=strangers", _otherKey);
    }

    [Fact]
    public void Certificate_issued_by_one_of_the_cas_is_accepted()
    {
        using X509Certificate2 client = Issue(_ca, "CN=alice", ClientAuth);

        Assert.Null(ClientCertificateCheck.Refusal(client, [_otherCa, _ca]));
    }

    [Fact]
    public void No_certificate_is_refused()
    {
        Assert.Equal("no client certificate was presented", ClientCertificateCheck.Refusal(null, [_ca]));
    }

    [Fact]
    public void Certificate_of_another_ca_is_refused_even_when_that_ca_is_valid()
    {
        using X509Certificate2 client = Issue(_otherCa, "CN=mallory", ClientAuth);

        Assert.Contains("'CN=mallory' is not accepted by this tunnel's CAs", ClientCertificateCheck.Refusal(client, [_ca]), StringComparison.Ordinal);
    }

    [Fact]
    public void Expired_certificate_is_refused()
    {
        using X509Certificate2 client = Issue(_ca, "CN=late", ClientAuth, DateTimeOffset.UtcNow.AddMinutes(-9), DateTimeOffset.UtcNow.AddMinutes(-1));

        Assert.Contains("expired", ClientCertificateCheck.Refusal(client, [_ca]), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Server_only_certificate_of_the_same_ca_is_refused()
    {
        using X509Certificate2 server = Issue(_ca, "CN=a-server", ServerAuth);

        Assert.NotNull(ClientCertificateCheck.Refusal(server, [_ca]));
    }

    [Fact]
    public void Forwarded_value_is_envoys_hash_and_quoted_subject()
    {
        using X509Certificate2 client = Issue(_ca, "CN=alice, O=Example", ClientAuth);

        Assert.Equal($"Hash={Convert.ToHexStringLower(SHA256.HashData(client.RawData))};Subject=\"CN=alice, O=Example\"", ClientCertificateInfo.ForwardedValue(client));
    }

    [Fact]
    public void Description_for_the_agent_names_the_certificate_without_carrying_it()
    {
        using X509Certificate2 client = Issue(_ca, "CN=alice", ClientAuth);

        var described = ClientCertificateInfo.Describe(client);

        Assert.Equal("CN=alice", described.Subject);
        Assert.Equal("CN=clients", described.Issuer);
        Assert.Equal(client.SerialNumber, described.Serial);
        Assert.Equal(64, described.Sha256.Length);
        Assert.Equal(client.NotAfter.ToUniversalTime(), described.NotAfter.UtcDateTime);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
        _caKey.Dispose();
        _otherKey.Dispose();
    }

    private static X509Certificate2 Ca(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, string usage, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        return request.Create(ca, notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5), notAfter ?? DateTimeOffset.UtcNow.AddHours(1), RandomNumberGenerator.GetBytes(8));
    }
}

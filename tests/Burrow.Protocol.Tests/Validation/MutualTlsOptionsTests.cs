using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;
using Burrow.Protocol.Validation;

namespace Burrow.Protocol.Tests.Validation;

/// <summary><c>mutual_tls_cas</c> and <c>terminate_at</c>: which tunnels take them, and which PEM text the edge accepts.</summary>
public sealed class MutualTlsOptionsTests
{
    private static readonly string CaPem = Certificate(ca: true).ExportCertificatePem();
    private static readonly string LeafPem = Certificate(ca: false).ExportCertificatePem();

    [Fact]
    public void Http_tunnel_with_ca_pem_validates_to_its_certificates()
    {
        Assert.True(EndpointOptionsValidator.TryValidate(new EndpointOptions { MutualTlsCas = CaPem + "\n" + CaPem }, TunnelProtocols.Http, out var validated, out var error), error?.Message);

        Assert.Equal(2, validated.MutualTlsCas!.Count);
        Assert.False(validated.TerminateTlsAtEdge);
    }

    [Fact]
    public void Tls_tunnel_terminated_at_the_edge_may_have_mutual_tls()
    {
        var options = new EndpointOptions { TerminateAt = TlsTerminations.Edge, MutualTlsCas = CaPem };

        Assert.True(EndpointOptionsValidator.TryValidate(options, TunnelProtocols.Tls, out var validated, out var error), error?.Message);
        Assert.True(validated.TerminateTlsAtEdge);
        Assert.Single(validated.MutualTlsCas!);
    }

    [Theory]
    [InlineData("tls", null, "ERR_BURROW_2010")]
    [InlineData("tls", "agent", "ERR_BURROW_2010")]
    [InlineData("tcp", null, "ERR_BURROW_2004")]
    public void Mutual_tls_where_the_edge_sees_no_certificate_is_refused(string proto, string? terminateAt, string code)
    {
        var options = new EndpointOptions { TerminateAt = terminateAt, MutualTlsCas = CaPem };

        Assert.False(EndpointOptionsValidator.TryValidate(options, proto, out _, out var error));
        Assert.Equal(code, error.Code);
    }

    [Theory]
    [InlineData("http", "edge")]
    [InlineData("tcp", "edge")]
    [InlineData("tls", "nowhere")]
    public void Terminate_at_outside_tls_tunnels_or_unknown_is_refused_with_2004(string proto, string terminateAt)
    {
        Assert.False(EndpointOptionsValidator.TryValidate(new EndpointOptions { TerminateAt = terminateAt }, proto, out _, out var error));
        Assert.Equal("ERR_BURROW_2004", error.Code);
        Assert.Contains("terminate_at", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_without_a_certificate_is_refused_with_2012()
    {
        Assert.False(EndpointOptionsValidator.TryValidate(new EndpointOptions { MutualTlsCas = "not a pem" }, TunnelProtocols.Http, out _, out var error));
        Assert.Equal("ERR_BURROW_2012", error.Code);
        Assert.Contains("holds no PEM certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_certificate_block_is_refused_with_2012()
    {
        string broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";

        Assert.False(EndpointOptionsValidator.TryValidate(new EndpointOptions { MutualTlsCas = broken }, TunnelProtocols.Http, out _, out var error));
        Assert.Equal("ERR_BURROW_2012", error.Code);
    }

    [Fact]
    public void Client_certificate_given_as_a_ca_is_refused_with_2012()
    {
        Assert.False(EndpointOptionsValidator.TryValidate(new EndpointOptions { MutualTlsCas = LeafPem }, TunnelProtocols.Http, out _, out var error));
        Assert.Equal("ERR_BURROW_2012", error.Code);
        Assert.Contains("is not a CA certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pem_over_the_size_limit_is_refused_with_2012()
    {
        string large = string.Concat(Enumerable.Repeat(CaPem, (MutualTlsAuthorities.MaxPemChars / CaPem.Length) + 1));

        Assert.False(EndpointOptionsValidator.TryValidate(new EndpointOptions { MutualTlsCas = large }, TunnelProtocols.Http, out _, out var error));
        Assert.Equal("ERR_BURROW_2012", error.Code);
        Assert.Contains("more than the 32768", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void New_fields_round_trip_in_snake_case_and_are_left_out_when_absent()
    {
        var bind = new BindMessage
        {
            RequestId = "r1", TunnelName = "t", Proto = TunnelProtocols.Tls,
            Options = new EndpointOptions { TerminateAt = TlsTerminations.Edge, MutualTlsCas = CaPem },
        };
        string json = ControlMessageSerializer.SerializeToJson(bind);
        Assert.Contains("\"terminate_at\":\"edge\"", json, StringComparison.Ordinal);
        Assert.Contains("\"mutual_tls_cas\":\"-----BEGIN CERTIFICATE-----", json, StringComparison.Ordinal);

        var header = new ProxyHeader
        {
            TunnelId = "t1", ClientAddr = "1.2.3.4:5", Proto = TunnelProtocols.Tls,
            Tls = new ProxyTlsInfo
            {
                Terminated = true,
                ClientCertificate = new ProxyClientCertificate { Subject = "CN=a", Issuer = "CN=ca", Serial = "01", Sha256 = "ab", NotAfter = DateTimeOffset.UnixEpoch },
            },
        };
        string headerJson = ControlMessageSerializer.SerializeToJson(header);
        Assert.Contains("\"client_certificate\":{\"subject\":\"CN=a\",\"issuer\":\"CN=ca\",\"serial\":\"01\",\"sha256\":\"ab\",\"not_after\":", headerJson, StringComparison.Ordinal);
        Assert.DoesNotContain("mutual_tls_cas", ControlMessageSerializer.SerializeToJson(bind with { Options = new EndpointOptions() }), StringComparison.Ordinal);
    }

    private static X509Certificate2 Certificate(bool ca)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(ca ? "CN=test ca" : "CN=test client", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }
}

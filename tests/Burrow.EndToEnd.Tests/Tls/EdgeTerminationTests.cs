using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Burrow.EndToEnd.Tests.Harness;
using static Burrow.EndToEnd.Tests.Harness.RawTunnelFixture;

namespace Burrow.EndToEnd.Tests.Tls;

/// <summary>
/// <c>burrow tls --terminate-at edge</c>: clients verify the edge's own certificate for the name, and exchange plaintext
/// with a plain TCP upstream, half-close included; with <c>--mutual-tls-cas</c> only clients with a certificate from the
/// CAs get through. Driven by openssl s_client and a .NET SslStream client.
/// </summary>
public sealed class EdgeTerminationTests(EdgeTerminationFixture fixture) : IClassFixture<EdgeTerminationFixture>
{
    [Fact(Timeout = 60_000)]
    public async Task Openssl_verifies_the_edge_certificate_for_the_name()
    {
        string host = fixture.Echo.Url.Host;
        (int exit, string output, string errors) = await Tool.RunAsync(
            "openssl", ["s_client", "-connect", $"127.0.0.1:{I(fixture.Edge.HttpsPort)}", "-servername", host, "-CAfile", fixture.Edge.CaPath, "-verify_hostname", host, "-verify_return_error"],
            stdin: "", timeout: TimeSpan.FromSeconds(30));

        Assert.True(exit == 0, $"s_client exited {exit}: {errors}");
        Assert.Contains("Verify return code: 0 (ok)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("CertificateRequest", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Plaintext_upstream_echoes_through_the_edge_tls()
    {
        await using SslStream tls = await ConnectAsync(fixture.Echo.Url.Host, null);
        // Verified already against the edge's CA alone, for this name (ConnectAsync); and it is the edge's, not the upstream's (which has none).
        Assert.Equal(fixture.EdgeCa.Subject, IssuerOf(tls));

        await tls.WriteAsync("ping over edge tls\n"u8.ToArray());
        Assert.Equal("ping over edge tls\n", await ReadExactlyAsync(tls, "ping over edge tls\n".Length));
    }

    [Fact(Timeout = 60_000)]
    public async Task Client_half_close_reaches_the_upstream_and_its_answer_still_comes_back()
    {
        byte[] payload = RandomNumberGenerator.GetBytes(300_000);
        await using SslStream tls = await ConnectAsync(fixture.Hash.Url.Host, null);

        await tls.WriteAsync(payload);
        // close_notify: the upstream answers only after its read side ends.
        await tls.ShutdownAsync();
        string answer = await ReadToEndAsync(tls);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(payload)), answer);
    }

    [Fact(Timeout = 60_000)]
    public async Task Mutual_tls_at_the_edge_admits_a_certificate_from_the_cas()
    {
        using X509Certificate2 client = Load(fixture.Good);
        await using SslStream tls = await ConnectAsync(fixture.Mtls.Url.Host, client);

        await tls.WriteAsync("with a certificate\n"u8.ToArray());
        Assert.Equal("with a certificate\n", await ReadExactlyAsync(tls, "with a certificate\n".Length));
    }

    [Fact(Timeout = 60_000)]
    public async Task Mutual_tls_at_the_edge_refuses_no_certificate_a_strangers_and_an_expired_one()
    {
        using X509Certificate2 stranger = Load(fixture.Stranger);
        using X509Certificate2 expired = Load(fixture.Expired);
        foreach (X509Certificate2? client in new[] { null, stranger, expired })
        {
            int before = fixture.EchoUpstream.Accepted;
            Exception refused = await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                // TLS 1.3: the client's handshake may end before the server has checked its certificate; the alert comes on the first read.
                await using SslStream tls = await ConnectAsync(fixture.Mtls.Url.Host, client);
                await tls.WriteAsync("should not pass\n"u8.ToArray());
                string read = await ReadExactlyAsync(tls, 1);
                Assert.Fail($"read '{read}' through a refused handshake ({client?.Subject ?? "no certificate"})");
            });
            Assert.True(refused is IOException or System.Security.Authentication.AuthenticationException, refused.ToString());
            Assert.Equal(before, fixture.EchoUpstream.Accepted);
        }
    }

    [Theory(Timeout = 30_000)]
    [InlineData("--terminate-at", "edge", "--crt", "{crt}", "--key", "{key}")]
    [InlineData("--terminate-at", "edge", "--crt", "{crt}")]
    public async Task Edge_termination_with_crt_or_key_is_refused_with_2010(params string[] flags)
    {
        string[] args = [.. flags.Select(f => f.Replace("{crt}", fixture.Good.Crt, StringComparison.Ordinal).Replace("{key}", fixture.Good.Key, StringComparison.Ordinal))];
        await using var run = BurrowProcess.Start(["tls", "8443", .. args, .. fixture.Edge.AgentArgs()]);

        await run.WaitForLineAsync("ERR_BURROW_2010: .*edge's own certificate");

        Assert.Equal(2, await run.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    private async Task<SslStream> ConnectAsync(string host, X509Certificate2? clientCertificate)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", fixture.Edge.HttpsPort);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            // The edge's certificate must chain to its local CA and name the host: the default checks with that CA as the only root.
            CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { fixture.EdgeCa }, RevocationMode = X509RevocationMode.NoCheck },
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
        };
        try
        {
            await tls.AuthenticateAsClientAsync(options);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }

    private static async Task<string> ReadExactlyAsync(Stream stream, int count)
    {
        byte[] buffer = new byte[count];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await stream.ReadExactlyAsync(buffer, timeout.Token);
        return Encoding.ASCII.GetString(buffer);
    }

    private static async Task<string> ReadToEndAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory, timeout.Token);
        return Encoding.ASCII.GetString(memory.ToArray());
    }

    private static string IssuerOf(SslStream tls)
    {
        using X509Certificate2 leaf = X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());
        return leaf.Issuer;
    }

    private static X509Certificate2 Load((string Crt, string Key, X509Certificate2 Certificate) pem)
    {
        using X509Certificate2 withKey = X509Certificate2.CreateFromPemFile(pem.Crt, pem.Key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}

/// <summary>
/// An edge; plain TCP upstreams (echo, and one answering the SHA-256 of what it read after the client's end); tls tunnels
/// terminated at the edge to each, and one with mutual TLS; client certificates from two CAs.
/// </summary>
public sealed class EdgeTerminationFixture : RawTunnelFixture
{
    private readonly List<PemCertificates> _cas = [];

    public X509Certificate2 EdgeCa { get; private set; } = null!;

    public (string Crt, string Key, X509Certificate2 Certificate) Good { get; private set; }

    public (string Crt, string Key, X509Certificate2 Certificate) Stranger { get; private set; }

    public (string Crt, string Key, X509Certificate2 Certificate) Expired { get; private set; }

    public TcpUpstream EchoUpstream { get; private set; } = null!;

    public TlsAgent Echo { get; private set; } = null!;

    public TlsAgent Hash { get; private set; } = null!;

    public TlsAgent Mtls { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        EdgeCa = X509CertificateLoader.LoadCertificateFromFile(Edge.CaPath);
        PemCertificates clients = Ca("clients"), strangers = Ca("strangers");
        Good = clients.IssueClient("good-client");
        Stranger = strangers.IssueClient("stranger-client");
        Expired = clients.IssueClient("expired-client", DateTimeOffset.UtcNow.AddMinutes(-9), DateTimeOffset.UtcNow.AddMinutes(-1));

        EchoUpstream = Own(TcpUpstream.Start(TcpUpstream.Mode.Echo));
        TcpUpstream hash = Own(TcpUpstream.Start(TcpUpstream.Mode.HashAfterEof));
        Echo = Own(await StartTlsAsync(["--url", "edge-echo", I(EchoUpstream.Port), "--terminate-at", "edge"]));
        Hash = Own(await StartTlsAsync(["--url", "edge-hash", I(hash.Port), "--terminate-at", "edge"]));
        Mtls = Own(await StartTlsAsync(["--url", "edge-mtls", I(EchoUpstream.Port), "--terminate-at", "edge", "--mutual-tls-cas", clients.CaPath]));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        EdgeCa?.Dispose();
        foreach (PemCertificates ca in _cas)
        {
            ca.Dispose();
        }
    }

    private PemCertificates Ca(string name)
    {
        var ca = new PemCertificates(Temp.Path, name);
        _cas.Add(ca);
        return ca;
    }
}

using System.Text.Json;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Versioning;
using Burrow.EndToEnd.Tests.Harness;
using static Burrow.EndToEnd.Tests.Harness.RawTunnelFixture;

namespace Burrow.EndToEnd.Tests.Tls;

/// <summary>
/// <c>burrow http --mutual-tls-cas</c>: the edge asks for a client certificate only on that tunnel's name, answers a
/// client without one from the CAs with a 403 page (ERR_BURROW_3009), a request for it on another name's connection
/// with 421 (ERR_BURROW_3015), and forwards the certificate's fingerprint and subject; driven by curl and openssl.
/// </summary>
public sealed class EdgeMutualTlsTests(EdgeMutualTlsFixture fixture) : IClassFixture<EdgeMutualTlsFixture>
{
    [Fact(Timeout = 60_000)]
    public async Task Client_certificate_from_the_cas_gets_the_upstream_answer()
    {
        (int exit, string body, string errors) = await CurlAsync(fixture.MtlsHost, "/hello", ["--cert", fixture.Good.Crt, "--key", fixture.Good.Key]);

        Assert.True(exit == 0, $"curl exited {exit}: {errors}");
        Assert.Equal("hello from upstream", body);
    }

    [Fact(Timeout = 60_000)]
    public async Task Upstream_gets_the_edge_validated_certificate_in_x_forwarded_client_cert_not_the_clients_own()
    {
        (int exit, string body, string errors) = await CurlAsync(fixture.MtlsHost, "/headers",
            ["--cert", fixture.Good.Crt, "--key", fixture.Good.Key, "-H", "X-Forwarded-Client-Cert: Hash=forged"]);

        Assert.True(exit == 0, $"curl exited {exit}: {errors}");
        string xfcc = JsonDocument.Parse(body).RootElement.GetProperty("x-forwarded-client-cert").GetString()!;
        string sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(fixture.Good.Certificate.RawData));
        Assert.Equal($"Hash={sha256};Subject=\"CN=good-client\"", xfcc);
    }

    [Fact(Timeout = 60_000)]
    public async Task No_client_certificate_gets_a_403_page_with_3009()
    {
        (int exit, string body, string errors) = await CurlAsync(fixture.MtlsHost, "/hello", ["-w", "\n%{http_code}"]);

        Assert.True(exit == 0, $"curl exited {exit}: {errors}");
        Assert.EndsWith("\n403", body, StringComparison.Ordinal);
        Assert.Contains("ERR_BURROW_3009", body, StringComparison.Ordinal);
        Assert.Contains("no client certificate was presented", body, StringComparison.Ordinal);
        Assert.DoesNotContain("hello from upstream", body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Certificate_from_another_ca_gets_403()
    {
        (int exit, string body, string errors) = await CurlAsync(fixture.MtlsHost, "/hello", ["--cert", fixture.Stranger.Crt, "--key", fixture.Stranger.Key, "-w", "\n%{http_code}"]);

        Assert.True(exit == 0, $"curl exited {exit}: {errors}");
        Assert.EndsWith("\n403", body, StringComparison.Ordinal);
        Assert.Contains("ERR_BURROW_3009", body, StringComparison.Ordinal);
        Assert.Contains("stranger-client", body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Expired_certificate_from_the_cas_gets_403()
    {
        (int exit, string body, string errors) = await CurlAsync(fixture.MtlsHost, "/hello", ["--cert", fixture.Expired.Crt, "--key", fixture.Expired.Key, "-w", "\n%{http_code}"]);

        Assert.True(exit == 0, $"curl exited {exit}: {errors}");
        Assert.EndsWith("\n403", body, StringComparison.Ordinal);
        Assert.Contains("ERR_BURROW_3009", body, StringComparison.Ordinal);
        Assert.Contains("expired", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact(Timeout = 60_000)]
    public async Task Plain_http_to_a_mutual_tls_tunnel_gets_403()
    {
        (int exit, string body, string errors) = await Curl.RunAsync(
            ["-H", $"Host: {fixture.MtlsHost}", "-w", "\n%{http_code}", $"http://127.0.0.1:{I(fixture.Edge.HttpPort)}/hello"], TimeSpan.FromSeconds(30));

        Assert.True(exit == 0, $"curl exited {exit}: {errors}");
        Assert.EndsWith("\n403", body, StringComparison.Ordinal);
        Assert.Contains("ERR_BURROW_3009", body, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--http1.1")]
    [InlineData("--http2")]
    public async Task Request_for_the_mutual_tls_name_on_another_names_connection_gets_421(string version)
    {
        // SNI names the ordinary tunnel (no certificate asked for), Host/:authority the mutual TLS one: what HTTP/2 connection reuse does.
        (int exit, string body, string errors) = await CurlAsync(fixture.PlainHost, "/hello",
            [version, "-H", $"Host: {fixture.MtlsHost}:{I(fixture.Edge.HttpsPort)}", "--cert", fixture.Good.Crt, "--key", fixture.Good.Key, "-w", "\n%{http_code}"]);

        Assert.True(exit == 0, $"curl exited {exit}: {errors}");
        Assert.EndsWith("\n421", body, StringComparison.Ordinal);
        Assert.Contains("ERR_BURROW_3015", body, StringComparison.Ordinal);
        Assert.DoesNotContain("hello from upstream", body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Ordinary_tunnel_on_the_same_edge_works_and_its_handshake_asks_for_no_certificate()
    {
        (int exit, string body, string errors) = await CurlAsync(fixture.PlainHost, "/hello", []);
        Assert.True(exit == 0, $"curl exited {exit}: {errors}");
        Assert.Equal("hello from upstream", body);

        (int sExit, string output, string sErrors) = await OpensslAsync(fixture.PlainHost);
        Assert.True(sExit == 0, $"s_client exited {sExit}: {sErrors}");
        Assert.DoesNotContain("CertificateRequest", output, StringComparison.Ordinal);
        Assert.Contains("No client certificate CA names sent", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Mutual_tls_handshake_sends_a_certificate_request_naming_the_cas()
    {
        (int exit, string output, string errors) = await OpensslAsync(fixture.MtlsHost);

        Assert.True(exit == 0, $"s_client exited {exit}: {errors}");
        Assert.Contains("CertificateRequest", output, StringComparison.Ordinal);
        Assert.Contains("Acceptable client certificate CA names", output, StringComparison.Ordinal);
        Assert.Matches("CN ?= ?Burrow test CA clients", output);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("{key}", "holds no PEM certificate")]
    [InlineData("{client}", "is not a CA certificate")]
    [InlineData("{missing}", "")]
    public async Task Unusable_mutual_tls_cas_file_is_refused_before_connecting(string file, string reason)
    {
        string path = file
            .Replace("{key}", fixture.Good.Key, StringComparison.Ordinal)
            .Replace("{client}", fixture.Good.Crt, StringComparison.Ordinal)
            .Replace("{missing}", Path.Combine(fixture.Temp.Path, "missing.pem"), StringComparison.Ordinal);
        await using var run = BurrowProcess.Start(["http", "8080", "--mutual-tls-cas", path, .. fixture.Edge.AgentArgs()]);

        await run.WaitForLineAsync($"ERR_BURROW_2012: .*{System.Text.RegularExpressions.Regex.Escape(reason)}");

        Assert.Equal(2, await run.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact(Timeout = 60_000)]
    public async Task Edge_announces_edge_tls_and_refuses_a_bind_with_unusable_cas_with_2012()
    {
        await using HostileAgent agent = await HostileAgent.ConnectAsync(fixture.Edge);
        await agent.SendAsync(HostileAgent.Auth(fixture.Edge.Token) with { Features = [ProtocolFeatures.EdgeTls] });
        AuthResultMessage? auth = await agent.ReadUntilAsync<AuthResultMessage>();
        Assert.Null(auth?.Error);
        Assert.Contains(ProtocolFeatures.EdgeTls, auth!.Features);

        // What the agent checks before connecting, checked again by the edge: a client's own certificate is no CA.
        await agent.SendAsync(new BindMessage
        {
            RequestId = "1", Proto = TunnelProtocols.Http, TunnelName = "bad-cas",
            Options = new EndpointOptions { MutualTlsCas = await File.ReadAllTextAsync(fixture.Good.Crt) },
        });
        BindResultMessage? bound = await agent.ReadUntilAsync<BindResultMessage>();
        Assert.Equal("ERR_BURROW_2012", bound?.Error?.Code);
        Assert.Contains("is not a CA certificate", bound!.Error!.Message, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> CurlAsync(string host, string path, IEnumerable<string> extra) =>
        Curl.RunAsync(["--resolve", $"{host}:{I(fixture.Edge.HttpsPort)}:127.0.0.1", "--cacert", fixture.Edge.CaPath, .. extra, $"https://{host}:{I(fixture.Edge.HttpsPort)}{path}"], TimeSpan.FromSeconds(30));

    private Task<(int ExitCode, string Stdout, string Stderr)> OpensslAsync(string serverName) =>
        Tool.RunAsync("openssl", ["s_client", "-msg", "-connect", $"127.0.0.1:{I(fixture.Edge.HttpsPort)}", "-servername", serverName], stdin: "", timeout: TimeSpan.FromSeconds(30));
}

/// <summary>An edge; the Kestrel test upstream behind an http tunnel with mutual TLS and an ordinary one; client certificates from two CAs.</summary>
public sealed class EdgeMutualTlsFixture : RawTunnelFixture
{
    private readonly List<PemCertificates> _cas = [];

    public PemCertificates Clients { get; private set; } = null!;

    public (string Crt, string Key, System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate) Good { get; private set; }

    public (string Crt, string Key, System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate) Stranger { get; private set; }

    public (string Crt, string Key, System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate) Expired { get; private set; }

    public string MtlsHost { get; private set; } = "";

    public string PlainHost { get; private set; } = "";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Clients = Ca("clients");
        PemCertificates strangers = Ca("strangers");
        Good = Clients.IssueClient("good-client");
        Stranger = strangers.IssueClient("stranger-client");
        Expired = Clients.IssueClient("expired-client", DateTimeOffset.UtcNow.AddMinutes(-9), DateTimeOffset.UtcNow.AddMinutes(-1));

        Upstream upstream = Own(await Upstream.StartAsync());
        AgentRun mtls = Own(await AgentRun.StartAsync(["--url", "mtls-web", I(upstream.Port), "--mutual-tls-cas", Clients.CaPath, .. Edge.AgentArgs()], StateDir()));
        AgentRun plain = Own(await AgentRun.StartAsync(["--url", "plain-web", I(upstream.Port), .. Edge.AgentArgs()], StateDir()));
        MtlsHost = mtls.HttpsUrl.Host;
        PlainHost = plain.HttpsUrl.Host;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (PemCertificates ca in _cas)
        {
            ca.Dispose();
        }
    }

    private string StateDir() => Path.Combine(Temp.Path, "agents", Guid.NewGuid().ToString("n"));

    private PemCertificates Ca(string name)
    {
        var ca = new PemCertificates(Temp.Path, name);
        _cas.Add(ca);
        return ca;
    }
}

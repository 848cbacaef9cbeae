using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Burrow.EndToEnd.Tests.Harness;
using static Burrow.EndToEnd.Tests.Harness.RawTunnelFixture;

namespace Burrow.EndToEnd.Tests.Tls;

/// <summary>
/// <c>burrow tls --terminate-at agent</c>, driven by openssl s_client and curl: the certificate seen
/// is the one given with --crt, the upstream gets plaintext, and --mutual-tls-cas admits only clients
/// with a certificate from those CAs. Plus s_client against a pass-through tunnel, and the flag errors.
/// </summary>
public sealed partial class AgentTerminationTests(AgentTerminationFixture fixture) : IClassFixture<AgentTerminationFixture>
{
    [Fact(Timeout = 60_000)]
    public async Task Openssl_sees_the_crt_certificate_and_verifies_it_for_the_name()
    {
        (int exit, string output, string errors) = await OpensslConnectAsync(fixture.Term.Url.Host, ["-CAfile", fixture.ServerCa.CaPath, "-verify_hostname", fixture.Term.Url.Host, "-verify_return_error"]);

        Assert.True(exit == 0, $"s_client exited {exit}: {errors}");
        Assert.Equal(fixture.TermCertificate.Thumbprint, LeafOf(output).Thumbprint);
        Assert.Contains("Verify return code: 0 (ok)", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Curl_gets_the_plaintext_upstream_answer_over_the_agent_tls()
    {
        (int exit, string body, string errors) = await CurlAsync(fixture.Term.Url.Host, []);

        Assert.True(exit == 0, $"curl exited {exit}: {errors}");
        Assert.Equal(Nginx.PlainBody, body);
    }

    [Fact(Timeout = 60_000)]
    public async Task Client_that_does_not_trust_the_certificate_aborts_and_the_agent_logs_3008()
    {
        // No --cacert: curl does not trust the test CA, so it aborts the handshake with an alert.
        (int exit, string body, _) = await Curl.RunAsync(
            ["--resolve", $"{fixture.Term.Url.Host}:{I(fixture.Edge.HttpsPort)}:127.0.0.1", $"https://{fixture.Term.Url.Host}:{I(fixture.Edge.HttpsPort)}/"], TimeSpan.FromSeconds(30));

        Assert.Equal(60, exit); // CURLE_PEER_FAILED_VERIFICATION
        Assert.Empty(body);
        await fixture.Term.Process.WaitForLineAsync("ERR_BURROW_3008: TLS handshake with 127.0.0.1:");
    }

    [Fact(Timeout = 60_000)]
    public async Task Proxy_protocol_header_goes_before_the_plaintext_of_an_agent_terminated_tunnel()
    {
        (int exit, string body, string errors) = await CurlAsync(fixture.TermProxy.Url.Host, []);

        Assert.True(exit == 0, $"curl exited {exit}: {errors}");
        // nginx parsed a v1 header on its plain port: the client's address and the edge's HTTPS port, and no TLS of its own.
        Assert.Matches($"^client=127\\.0\\.0\\.1:\\d+ server=127\\.0\\.0\\.1:{I(fixture.Edge.HttpsPort)} tls=\n$", body);
    }

    [Fact(Timeout = 60_000)]
    public async Task Mutual_tls_admits_a_client_certificate_from_the_cas()
    {
        (int exit, string body, string errors) = await CurlAsync(fixture.Mtls.Url.Host, ["--cert", fixture.GoodClient.Crt, "--key", fixture.GoodClient.Key]);

        Assert.True(exit == 0, $"curl exited {exit}: {errors}");
        Assert.Equal(Nginx.PlainBody, body);
    }

    [Fact(Timeout = 60_000)]
    public async Task Mutual_tls_refuses_a_client_without_a_certificate_with_3009()
    {
        int before = Count3009();
        (int exit, string body, _) = await CurlAsync(fixture.Mtls.Url.Host, []);

        Assert.NotEqual(0, exit);
        Assert.DoesNotContain(Nginx.PlainBody, body, StringComparison.Ordinal);
        var line = await fixture.Mtls.Process.WaitForLineAsync("ERR_BURROW_3009: .*no client certificate", skip: 0);
        Assert.NotNull(line);
        Assert.True(Count3009() > before);
    }

    [Fact(Timeout = 60_000)]
    public async Task Mutual_tls_refuses_a_certificate_from_another_ca()
    {
        (int exit, string body, _) = await CurlAsync(fixture.Mtls.Url.Host, ["--cert", fixture.StrangerClient.Crt, "--key", fixture.StrangerClient.Key]);

        Assert.NotEqual(0, exit);
        Assert.DoesNotContain(Nginx.PlainBody, body, StringComparison.Ordinal);
        await fixture.Mtls.Process.WaitForLineAsync("ERR_BURROW_3009: .*stranger-client");
    }

    [Fact(Timeout = 60_000)]
    public async Task Openssl_with_servername_through_a_pass_through_tunnel_sees_the_upstream_certificate()
    {
        (int exit, string output, string errors) = await OpensslConnectAsync(fixture.Pass.Url.Host, []);

        Assert.True(exit == 0, $"s_client exited {exit}: {errors}");
        Assert.Equal(fixture.PassUpstream.Certificate.Thumbprint, LeafOf(output).Thumbprint);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("ERR_BURROW_2010", "--crt", "{crt}", "--key", "{key}")]
    [InlineData("ERR_BURROW_2010", "--terminate-at", "agent", "--crt", "{crt}")]
    [InlineData("ERR_BURROW_2010", "--terminate-at", "nowhere")]
    [InlineData("ERR_BURROW_2011", "--terminate-at", "agent", "--crt", "{missing}", "--key", "{key}")]
    [InlineData("ERR_BURROW_2011", "--terminate-at", "agent", "--crt", "{crt}", "--key", "{otherkey}")]
    [InlineData("ERR_BURROW_2012", "--terminate-at", "agent", "--crt", "{crt}", "--key", "{key}", "--mutual-tls-cas", "{key}")]
    public async Task Bad_termination_flags_are_refused_before_connecting(string code, params string[] flags)
    {
        string[] args = [.. flags.Select(f => f
            .Replace("{crt}", fixture.TermPem.Crt, StringComparison.Ordinal)
            .Replace("{key}", fixture.TermPem.Key, StringComparison.Ordinal)
            .Replace("{otherkey}", fixture.GoodClient.Key, StringComparison.Ordinal)
            .Replace("{missing}", Path.Combine(fixture.Temp.Path, "missing.pem"), StringComparison.Ordinal))];
        await using var run = BurrowProcess.Start(["tls", "8443", .. args, .. fixture.Edge.AgentArgs()]);

        await run.WaitForLineAsync($"{code}: ");

        Assert.Equal(2, await run.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    private int Count3009() => Regex.Count(fixture.Mtls.Process.Output, "ERR_BURROW_3009");

    private Task<(int ExitCode, string Stdout, string Stderr)> OpensslConnectAsync(string serverName, IEnumerable<string> extra) =>
        Tool.RunAsync("openssl", ["s_client", "-connect", $"127.0.0.1:{I(fixture.Edge.HttpsPort)}", "-servername", serverName, .. extra], stdin: "", timeout: TimeSpan.FromSeconds(30));

    private Task<(int ExitCode, string Stdout, string Stderr)> CurlAsync(string host, IEnumerable<string> extra) =>
        Curl.RunAsync(["--resolve", $"{host}:{I(fixture.Edge.HttpsPort)}:127.0.0.1", "--cacert", fixture.ServerCa.CaPath, .. extra, $"https://{host}:{I(fixture.Edge.HttpsPort)}/"], TimeSpan.FromSeconds(30));

    private static X509Certificate2 LeafOf(string sClientOutput)
    {
        Match pem = PemBlock().Match(sClientOutput);
        Assert.True(pem.Success, "s_client printed no certificate:\n" + sClientOutput);
        return X509Certificate2.CreateFromPem(pem.Value);
    }

    [GeneratedRegex("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----")]
    private static partial Regex PemBlock();
}

/// <summary>
/// An edge; nginx's plain HTTP server as the upstream; a tls tunnel terminated at the agent, one with
/// mutual TLS, and one passing TLS through to a .NET TLS echo server with its own certificate.
/// </summary>
public sealed class AgentTerminationFixture : RawTunnelFixture
{
    private readonly List<PemCertificates> _cas = [];

    public PemCertificates ServerCa { get; private set; } = null!;

    public (string Crt, string Key) TermPem { get; private set; }

    public X509Certificate2 TermCertificate { get; private set; } = null!;

    public (string Crt, string Key) GoodClient { get; private set; }

    public (string Crt, string Key) StrangerClient { get; private set; }

    public TlsAgent Term { get; private set; } = null!;

    public TlsAgent Mtls { get; private set; } = null!;

    public TlsAgent Pass { get; private set; } = null!;

    public TlsAgent TermProxy { get; private set; } = null!;

    public TlsEchoUpstream PassUpstream { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        ServerCa = Ca("servers");
        PemCertificates clients = Ca("clients"), strangers = Ca("strangers");
        (string crt, string key, X509Certificate2 term) = ServerCa.IssueServer("term.localhost");
        TermPem = (crt, key);
        TermCertificate = term;
        (string mtlsCrt, string mtlsKey, _) = ServerCa.IssueServer("mtls.localhost");
        (string goodCrt, string goodKey, _) = clients.IssueClient("good-client");
        GoodClient = (goodCrt, goodKey);
        (string strangerCrt, string strangerKey, _) = strangers.IssueClient("stranger-client");
        StrangerClient = (strangerCrt, strangerKey);

        Nginx nginx = Own(await Nginx.StartAsync(Temp.Path, crt, key));
        string upstream = I(nginx.PlainPort);
        Term = Own(await StartTlsAsync(["--url", "term", upstream, "--terminate-at", "agent", "--crt", crt, "--key", key]));
        (string proxyCrt, string proxyKey, _) = ServerCa.IssueServer("term-pp.localhost");
        TermProxy = Own(await StartTlsAsync(["--url", "term-pp", I(nginx.ProxyProtocolPort), "--terminate-at", "agent", "--crt", proxyCrt, "--key", proxyKey, "--upstream-proxy-protocol", "1"]));
        Mtls = Own(await StartTlsAsync(["--url", "mtls", upstream, "--terminate-at", "agent", "--crt", mtlsCrt, "--key", mtlsKey, "--mutual-tls-cas", clients.CaPath]));
        PassUpstream = TlsEchoUpstream.Start("pass.localhost", "P:");
        Pass = Own(await StartTlsAsync(["--url", "pass", I(PassUpstream.Port)]));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        PassUpstream?.Dispose();
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

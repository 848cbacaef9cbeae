using Burrow.EndToEnd.Tests.Harness;
using static Burrow.EndToEnd.Tests.Harness.RawTunnelFixture;

namespace Burrow.EndToEnd.Tests.Policy;

/// <summary>
/// Mutual TLS at the edge with openssl s_client as the client, the way a user checks it by hand: with a certificate from
/// the CAs the request is served (and the policy reads the certificate's name from <c>conn.tls.client</c>); without
/// one, or with a stranger's, it is refused with ERR_BURROW_3009.
/// </summary>
public sealed class MutualTlsOpensslTests(MutualTlsOpensslFixture fixture) : IClassFixture<MutualTlsOpensslFixture>
{
    [Fact(Timeout = 60_000)]
    public async Task Openssl_with_a_client_certificate_from_the_cas_is_served_and_the_policy_sees_its_name()
    {
        string response = await RequestAsync(["-cert", fixture.Good.Crt, "-key", fixture.Good.Key]);

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.Contains("\"x-client-cn\":\"good-client\"", response, StringComparison.Ordinal);
        Assert.Contains("\"x-client-issuer\":\"Burrow test CA policy-clients\"", response, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Openssl_without_a_client_certificate_or_with_a_strangers_is_refused_with_3009()
    {
        foreach (string[] certificate in (string[][])[[], ["-cert", fixture.Stranger.Crt, "-key", fixture.Stranger.Key]])
        {
            string response = await RequestAsync(certificate);

            Assert.StartsWith("HTTP/1.1 403", response, StringComparison.Ordinal);
            Assert.Contains("ERR_BURROW_3009", response, StringComparison.Ordinal);
            Assert.DoesNotContain("x-client-cn", response, StringComparison.Ordinal);
        }
    }

    /// <summary>One HTTP/1.1 request through s_client; <c>-quiet</c> keeps only the data and waits for the server to close.</summary>
    private async Task<string> RequestAsync(IEnumerable<string> certificate)
    {
        string host = fixture.Host;
        (int exit, string output, string errors) = await Tool.RunAsync(
            "openssl",
            ["s_client", "-quiet", "-connect", $"127.0.0.1:{I(fixture.Edge.HttpsPort)}", "-servername", host, "-CAfile", fixture.Edge.CaPath,
                // Kestrel, which serves the edge's HTTPS, ends a Connection: close exchange without close_notify; curl and browsers accept that, OpenSSL 3 only when asked.
                "-verify_hostname", host, "-verify_return_error", "-ignore_unexpected_eof", .. certificate],
            stdin: $"GET /headers HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
            timeout: TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, $"s_client exited {exit}: {errors}\n{output}");
        return output;
    }
}

/// <summary>An edge; the Kestrel test upstream behind an http tunnel with mutual TLS whose policy passes the client certificate's names on.</summary>
public sealed class MutualTlsOpensslFixture : RawTunnelFixture
{
    private PemCertificates? _clients;
    private PemCertificates? _strangers;

    public (string Crt, string Key, System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate) Good { get; private set; }

    public (string Crt, string Key, System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate) Stranger { get; private set; }

    public string Host { get; private set; } = "";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _clients = new PemCertificates(Temp.Path, "policy-clients");
        _strangers = new PemCertificates(Temp.Path, "policy-strangers");
        Good = _clients.IssueClient("good-client");
        Stranger = _strangers.IssueClient("stranger-client");
        string policy = Path.Combine(Temp.Path, "mtls-policy.yml");
        await File.WriteAllTextAsync(policy, """
            on_http_request:
              - actions:
                  - type: add-headers
                    config:
                      headers:
                        x-client-cn: "${conn.tls.client.subject.common_name}"
                        x-client-issuer: "${conn.tls.client.issuer.common_name}"
            """);
        Upstream upstream = Own(await Upstream.StartAsync());
        AgentRun agent = Own(await AgentRun.StartAsync(
            ["--url", "policy-mtls", I(upstream.Port), "--mutual-tls-cas", _clients.CaPath, "--traffic-policy-file", policy, .. Edge.AgentArgs()],
            Path.Combine(Temp.Path, "agents", Guid.NewGuid().ToString("n"))));
        Host = agent.HttpsUrl.Host;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _clients?.Dispose();
        _strangers?.Dispose();
    }
}

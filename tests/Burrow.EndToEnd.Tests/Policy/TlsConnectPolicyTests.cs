using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.EndToEnd.Tests.Tls;
using static Burrow.EndToEnd.Tests.Harness.RawTunnelFixture;

namespace Burrow.EndToEnd.Tests.Policy;

/// <summary>
/// <c>on_tcp_connect</c> on <c>burrow tls</c> (pass-through) tunnels: the edge reads the SNI, runs the rules, and a deny,
/// a refused address or close-connection ends the connection before the agent or the upstream hear of it; the
/// client is openssl s_client. Connections the rules let through reach the upstream's own TLS.
/// </summary>
public sealed class TlsConnectPolicyTests(RawTunnelFixture fixture) : IClassFixture<RawTunnelFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 90_000)]
    public async Task Deny_by_sni_and_restrict_ips_close_the_connection_before_the_upstream_while_an_allowed_tunnel_serves()
    {
        await using TcpUpstream counted = TcpUpstream.Start(TcpUpstream.Mode.Echo);
        using TlsEchoUpstream echo = TlsEchoUpstream.Start("policy-tls-ok.localhost", "ok:");
        await using TlsAgent bySni = await StartAsync("policy-tls-deny", counted.Port, """
            on_tcp_connect:
              - name: no-such-name
                expressions: ["conn.tls.sni.startsWith('policy-tls-deny.') && endpoint.protocol == 'tls'"]
                actions: [{type: deny}]
            """);
        await using TlsAgent byAddress = await StartAsync("policy-tls-ip", counted.Port, """
            on_tcp_connect:
              - actions: [{type: restrict-ips, config: {deny: ["127.0.0.1/32"]}}]
            """);
        await using TlsAgent closing = await StartAsync("policy-tls-close", counted.Port, """
            on_tcp_connect:
              - expressions: ["inCidrRange(conn.client_ip, '127.0.0.0/8')"]
                actions: [{type: close-connection}]
            """);
        await using TlsAgent allowed = await StartAsync("policy-tls-ok", echo.Port, """
            on_tcp_connect:
              - expressions: ["conn.client_ip == '192.0.2.1'"]
                actions: [{type: close-connection}]
              - actions:
                  - type: restrict-ips
                    config: {allow: ["127.0.0.0/8"]}
            """);

        foreach (TlsAgent refused in (TlsAgent[])[bySni, byAddress, closing])
        {
            (int exit, string output, _) = await Tool.RunAsync(
                "openssl", ["s_client", "-connect", $"127.0.0.1:{I(fixture.Edge.HttpsPort)}", "-servername", refused.Url.Host],
                stdin: "", timeout: TimeSpan.FromSeconds(30));
            Assert.True(exit != 0, $"s_client to {refused.Url.Host} completed a handshake:\n{output}");
            Assert.DoesNotContain("Server certificate", output, StringComparison.Ordinal);
            Assert.DoesNotContain("BEGIN CERTIFICATE", output, StringComparison.Ordinal);
        }

        Assert.Equal(0, counted.Accepted);

        // The tunnel whose rules let loopback through: the handshake is the upstream's own, and its echo comes back.
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, fixture.Edge.HttpsPort, Ct);
        await using var ssl = new SslStream(client.GetStream());
        X509Certificate2? seen = null;
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = allowed.Url.Host,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => (seen = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())) is not null,
        }, Ct);
        Assert.Equal(echo.Certificate.Thumbprint, seen?.Thumbprint);
        await ssl.WriteAsync("through the policy\n"u8.ToArray(), Ct);
        using var reader = new StreamReader(ssl, Encoding.UTF8, leaveOpen: true);
        Assert.Equal("ok:through the policy", await reader.ReadLineAsync(Ct));
    }

    private async Task<TlsAgent> StartAsync(string name, int port, string policy)
    {
        string file = Path.Combine(fixture.Temp.Path, $"{name}.yml");
        await File.WriteAllTextAsync(file, policy, Ct);
        return await fixture.StartTlsAsync(["--url", name, I(port), "--traffic-policy-file", file]);
    }
}

using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Burrow.EndToEnd.Tests.Harness;
using static Burrow.EndToEnd.Tests.Harness.RawTunnelFixture;

namespace Burrow.EndToEnd.Tests.Tcp;

/// <summary>
/// <c>--upstream-proxy-protocol</c>: the header the agent writes is parsed by Debian's nginx
/// (<c>listen ... proxy_protocol</c>), which answers with the client and server addresses it read.
/// </summary>
public sealed class ProxyProtocolTests(ProxyProtocolFixture fixture) : IClassFixture<ProxyProtocolFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 60_000)]
    [InlineData("1")]
    [InlineData("2")]
    public async Task Nginx_sees_the_public_client_address_through_a_tcp_tunnel(string version)
    {
        await using var agent = await fixture.StartTcpAsync([I(fixture.Nginx.ProxyProtocolPort), "--upstream-proxy-protocol", version]);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, agent.Port), Ct);
        int clientPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
        using var stream = new NetworkStream(socket, ownsSocket: false);

        string response = await GetAsync(stream, "pp.test");

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        // nginx read the client's own port (not the agent's) and the edge's public port as the destination.
        Assert.Contains($"client=127.0.0.1:{I(clientPort)} server=127.0.0.1:{I(agent.Port)} tls=\n", response, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Nginx_with_tls_reads_the_v2_header_before_the_passed_through_handshake()
    {
        await using var agent = await fixture.StartTlsAsync(["--url", "pp-tls", I(fixture.Nginx.ProxyProtocolTlsPort), "--upstream-proxy-protocol", "2"]);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, fixture.Edge.HttpsPort, Ct);
        int clientPort = ((IPEndPoint)client.Client.LocalEndPoint!).Port;
        X509Certificate2? seen = null;
        await using var ssl = new SslStream(client.GetStream());
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = agent.Url.Host,
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                // The test checks which certificate came back, rather than trusting it.
                seen = certificate is null ? null : new X509Certificate2(certificate);
                return seen is not null;
            },
        }, Ct);

        string response = await GetAsync(ssl, agent.Url.Host);

        Assert.Equal(fixture.NginxCertificate.Thumbprint, seen!.Thumbprint);
        Assert.Contains($"client=127.0.0.1:{I(clientPort)} server=127.0.0.1:{I(fixture.Edge.HttpsPort)} tls=on\n", response, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Without_the_option_nginx_refuses_the_connection_it_cannot_parse()
    {
        // The control: the same upstream without a header closes the connection, so the answers above are the header's doing.
        await using var agent = await fixture.StartTcpAsync([I(fixture.Nginx.ProxyProtocolPort)]);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, agent.Port), Ct);
        using var stream = new NetworkStream(socket, ownsSocket: false);

        string response;
        try
        {
            response = await GetAsync(stream, "pp.test");
        }
        catch (IOException)
        {
            response = "";
        }

        Assert.DoesNotContain("client=", response, StringComparison.Ordinal);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("tcp")]
    [InlineData("tls")]
    public async Task Bad_version_is_refused_with_2009_before_connecting(string command)
    {
        await using var run = BurrowProcess.Start([command, "8080", "--upstream-proxy-protocol", "3", .. fixture.Edge.AgentArgs()]);

        var line = await run.WaitForLineAsync("ERR_BURROW_2009: .*");

        Assert.Contains("'3'", line.Value, StringComparison.Ordinal);
        Assert.Equal(2, await run.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    private static async Task<string> GetAsync(Stream stream, string host)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"), Ct);
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        return await reader.ReadToEndAsync(Ct);
    }
}

/// <summary>An edge, and nginx (with its own certificate for the TLS server) as the PROXY-protocol-reading upstream.</summary>
public sealed class ProxyProtocolFixture : RawTunnelFixture
{
    private PemCertificates _certificates = null!;

    public Nginx Nginx { get; private set; } = null!;

    public X509Certificate2 NginxCertificate { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _certificates = new PemCertificates(Temp.Path, "nginx");
        (string crt, string key, X509Certificate2 certificate) = _certificates.IssueServer("pp-tls.localhost");
        NginxCertificate = certificate;
        Nginx = Own(await Nginx.StartAsync(Temp.Path, crt, key));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _certificates?.Dispose();
    }
}

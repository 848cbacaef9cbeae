using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Tls;

/// <summary>
/// TLS tunnels through a real edge and agent: the edge's HTTPS port routes by SNI without terminating
/// TLS, so clients see the upstream's own certificate; other names still get the edge's HTTPS.
/// </summary>
public sealed class TlsTunnelTests(TlsTunnelFixture fixture) : IClassFixture<TlsTunnelFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 30_000)]
    public void Agent_prints_a_tls_url_on_the_edge_https_port()
    {
        Assert.Equal("tls", fixture.A.Url.Scheme);
        Assert.Equal(fixture.Edge.HttpsPort, fixture.A.Url.Port);
        Assert.Equal("sni-a.localhost", fixture.A.Url.Host);
    }

    [Fact(Timeout = 30_000)]
    public async Task Client_sees_the_upstream_certificate_and_gets_its_echo()
    {
        (X509Certificate2 seen, string reply) = await EchoAsync(fixture.A.Url.Host, "hello through sni");
        Assert.Equal(fixture.UpstreamA.Certificate.Thumbprint, seen.Thumbprint);
        Assert.Equal("A:hello through sni", reply);
    }

    [Fact(Timeout = 30_000)]
    public async Task Two_tls_tunnels_on_the_same_port_are_routed_by_sni()
    {
        (X509Certificate2 seenA, string replyA) = await EchoAsync(fixture.A.Url.Host, "one");
        (X509Certificate2 seenB, string replyB) = await EchoAsync(fixture.B.Url.Host, "two");
        Assert.Equal(fixture.UpstreamA.Certificate.Thumbprint, seenA.Thumbprint);
        Assert.Equal(fixture.UpstreamB.Certificate.Thumbprint, seenB.Thumbprint);
        Assert.Equal("A:one", replyA);
        Assert.Equal("B:two", replyB);
    }

    [Fact(Timeout = 30_000)]
    public async Task Http_tunnel_on_the_same_port_still_answers_with_the_edge_certificate()
    {
        (X509Certificate2 seen, string response) = await HttpsGetAsync(fixture.Http.HttpsUrl.Host);
        Assert.NotEqual(fixture.UpstreamA.Certificate.Thumbprint, seen.Thumbprint);
        Assert.Equal(fixture.EdgeCa.Subject, seen.Issuer);
        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.EndsWith("plain-http-upstream", response, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Unknown_name_gets_the_edge_https_404_page()
    {
        (X509Certificate2 seen, string response) = await HttpsGetAsync("nobody-here.localhost");
        Assert.Equal(fixture.EdgeCa.Subject, seen.Issuer);
        Assert.StartsWith("HTTP/1.1 404", response, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Tls_tunnel_name_is_not_served_as_an_http_tunnel_over_plain_http()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, fixture.Edge.HttpPort, Ct);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {fixture.A.Url.Host}\r\nConnection: close\r\n\r\n"), SocketFlags.None, Ct);
        using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string response = await reader.ReadToEndAsync(Ct);

        Assert.StartsWith("HTTP/1.1 404", response, StringComparison.Ordinal);
        Assert.Contains("ERR_BURROW_3001", response, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Garbage_bytes_get_the_connection_closed()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, fixture.Edge.HttpsPort, Ct);
        await socket.SendAsync("this is not a ClientHello at all\r\n\r\n"u8.ToArray(), SocketFlags.None, Ct);
        byte[] buffer = new byte[1024];
        int read;
        try
        {
            read = await socket.ReceiveAsync(buffer, SocketFlags.None, Ct);
        }
        catch (SocketException)
        {
            read = 0;
        }

        Assert.Equal(0, read);
    }

    private async Task<(X509Certificate2 Seen, string Reply)> EchoAsync(string serverName, string line)
    {
        (SslStream ssl, Func<X509Certificate2> seen) = await ConnectTlsAsync(serverName);
        await using (ssl)
        {
            await ssl.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), Ct);
            using var reader = new StreamReader(ssl, Encoding.UTF8, leaveOpen: true);
            string reply = await reader.ReadLineAsync(Ct) ?? "";
            return (seen(), reply);
        }
    }

    private async Task<(X509Certificate2 Seen, string Response)> HttpsGetAsync(string serverName)
    {
        (SslStream ssl, Func<X509Certificate2> seen) = await ConnectTlsAsync(serverName, http: true);
        await using (ssl)
        {
            await ssl.WriteAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {serverName}\r\nConnection: close\r\n\r\n"), Ct);
            using var reader = new StreamReader(ssl, Encoding.UTF8, leaveOpen: true);
            string response = await reader.ReadToEndAsync(Ct);
            return (seen(), response);
        }
    }

    private async Task<(SslStream Ssl, Func<X509Certificate2> Seen)> ConnectTlsAsync(string serverName, bool http = false)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, fixture.Edge.HttpsPort, Ct);
        X509Certificate2? seen = null;
        var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            ApplicationProtocols = http ? [SslApplicationProtocol.Http11] : null,
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                // Trust is the test's business: it compares the certificate seen with the one expected.
                seen = certificate is null ? null : new X509Certificate2(certificate);
                return seen is not null;
            },
        }, Ct);
        return (ssl, () => seen!);
    }
}

/// <summary>An edge, two TLS upstreams (each with its own self-signed certificate) behind two tls tunnels, and an http tunnel.</summary>
public sealed class TlsTunnelFixture : IAsyncLifetime
{
    private readonly TempDirectory _state = new();
    private readonly List<BurrowProcess> _agents = [];

    public EdgeRun Edge { get; private set; } = null!;

    public X509Certificate2 EdgeCa { get; private set; } = null!;

    public TlsEchoUpstream UpstreamA { get; private set; } = null!;

    public TlsEchoUpstream UpstreamB { get; private set; } = null!;

    public TlsAgent A { get; private set; } = null!;

    public TlsAgent B { get; private set; } = null!;

    public AgentRun Http { get; private set; } = null!;

    private TcpListener _plainHttp = null!;

    public async ValueTask InitializeAsync()
    {
        Edge = await EdgeRun.StartAsync();
        EdgeCa = X509CertificateLoader.LoadCertificateFromFile(Edge.CaPath);
        UpstreamA = TlsEchoUpstream.Start("sni-a.localhost", "A:");
        UpstreamB = TlsEchoUpstream.Start("sni-b.localhost", "B:");
        A = await StartTlsAgentAsync(["--url", "tls://sni-a.localhost", Port(UpstreamA.Port)]);
        B = await StartTlsAgentAsync(["--url", "sni-b", $"127.0.0.1:{Port(UpstreamB.Port)}"]);

        _plainHttp = new TcpListener(IPAddress.Loopback, 0);
        _plainHttp.Start();
        _ = ServePlainHttpAsync(_plainHttp);
        Http = await AgentRun.StartAsync([Port(((IPEndPoint)_plainHttp.LocalEndpoint).Port), .. Edge.AgentArgs()], Path.Combine(_state.Path, "http"));
    }

    public async ValueTask DisposeAsync()
    {
        await Http.DisposeAsync();
        foreach (BurrowProcess agent in _agents)
        {
            await agent.DisposeAsync();
        }

        _plainHttp.Stop();
        UpstreamA.Dispose();
        UpstreamB.Dispose();
        await Edge.DisposeAsync();
        _state.Dispose();
    }

    private async Task<TlsAgent> StartTlsAgentAsync(IEnumerable<string> args)
    {
        string stateDir = Path.Combine(_state.Path, Guid.NewGuid().ToString("n"));
        var process = BurrowProcess.Start(["tls", .. args, .. Edge.AgentArgs()], new Dictionary<string, string>
        {
            ["BURROW_STATE_DIR"] = stateDir,
            ["XDG_DATA_HOME"] = Path.Combine(stateDir, "data"),
        });
        _agents.Add(process);
        var match = await process.WaitForLineAsync(@"^Forwarding (tls://\S+) -> ");
        return new TlsAgent(process, new Uri(match.Groups[1].Value));
    }

    private static async Task ServePlainHttpAsync(TcpListener listener)
    {
        try
        {
            while (true)
            {
                Socket socket = await listener.AcceptSocketAsync();
                _ = Task.Run(async () =>
                {
                    using (socket)
                    {
                        var buffer = new byte[8192];
                        var request = new StringBuilder();
                        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            int read = await socket.ReceiveAsync(buffer, SocketFlags.None);
                            if (read == 0)
                            {
                                return;
                            }

                            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                        }

                        await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 19\r\nConnection: close\r\n\r\nplain-http-upstream"u8.ToArray(), SocketFlags.None);
                        socket.Shutdown(SocketShutdown.Send);
                    }
                });
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A <c>burrow tls</c> process and the URL it printed.</summary>
public sealed record TlsAgent(BurrowProcess Process, Uri Url) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

/// <summary>A TLS line-echo server with its own self-signed certificate; each line comes back with a prefix.</summary>
public sealed class TlsEchoUpstream : IDisposable
{
    private readonly TcpListener _listener;
    private readonly string _prefix;

    private TlsEchoUpstream(TcpListener listener, X509Certificate2 certificate, string prefix)
    {
        _listener = listener;
        Certificate = certificate;
        _prefix = prefix;
    }

    public X509Certificate2 Certificate { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static TlsEchoUpstream Start(string hostname, string prefix)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostname}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(hostname);
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        X509Certificate2 certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var upstream = new TlsEchoUpstream(listener, certificate, prefix);
        _ = upstream.AcceptLoopAsync();
        return upstream;
    }

    public void Dispose()
    {
        _listener.Stop();
        Certificate.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync();
                _ = Task.Run(() => ServeAsync(client));
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            using (client)
            await using (var ssl = new SslStream(client.GetStream()))
            {
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = Certificate });
                using var reader = new StreamReader(ssl, Encoding.UTF8, leaveOpen: true);
                while (await reader.ReadLineAsync() is { } line)
                {
                    await ssl.WriteAsync(Encoding.UTF8.GetBytes(_prefix + line + "\n"));
                    await ssl.FlushAsync();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            // The client went away.
        }
    }
}

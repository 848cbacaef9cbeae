using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Burrow.Edge.Tests.Agents;

/// <summary>The agent port's own listener (not Kestrel's): TLS as the agents expect it, and nothing left behind by clients that are not agents.</summary>
public sealed class AgentListenerTests : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("burrow-agent-listener-").FullName;
    private EdgeServer _edge = null!;
    private HttpClient _health = null!;

    public async ValueTask InitializeAsync()
    {
        var options = new EdgeOptions
        {
            Domain = "tunnel.test",
            AgentEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            HttpsEndPoint = null,
            HttpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            HealthEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            AdminEndPoint = null,
            DataDirectory = _dataDir,
            UseControlStore = false,
            DrainTimeout = TimeSpan.FromSeconds(1),
            Authtokens = ["brw_listener_tests"],
        };
        _edge = EdgeServer.Create(options);
        await _edge.StartAsync(TestContext.Current.CancellationToken);
        _health = new HttpClient { BaseAddress = new Uri($"http://{_edge.Endpoints.Health}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async ValueTask DisposeAsync()
    {
        _health.Dispose();
        await _edge.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task A_client_preferring_AES_256_still_gets_AES_128_GCM_and_burrow_1()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("cipher suite policies are set on Linux (and macOS) only");
            return;
        }

        var ct = TestContext.Current.CancellationToken;
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_edge.Endpoints.Agents!, ct);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "tunnel.test",
            ApplicationProtocols = [new SslApplicationProtocol("burrow/1")],
            CipherSuitesPolicy = new CipherSuitesPolicy([TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_AES_128_GCM_SHA256]),
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { _edge.LocalCaCertificate! },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        }, ct);

        Assert.Equal(TlsCipherSuite.TLS_AES_128_GCM_SHA256, tls.NegotiatedCipherSuite);
        Assert.Equal("burrow/1", tls.NegotiatedApplicationProtocol.ToString());
        Assert.Equal(1, await AgentConnectionsAsync(expected: 1, ct));
    }

    [Fact]
    public async Task Garbage_and_silent_clients_are_closed_and_not_counted_afterwards()
    {
        var ct = TestContext.Current.CancellationToken;
        using var garbage = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await garbage.ConnectAsync(_edge.Endpoints.Agents!, ct);
        await garbage.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), ct);
        // Not TLS: the edge closes the connection (end of stream or a reset), it does not hang.
        var buffer = new byte[1024];
        var closed = false;
        for (var i = 0; i < 100 && !closed; i++)
        {
            try
            {
                closed = await garbage.ReceiveAsync(buffer, ct).AsTask().WaitAsync(TimeSpan.FromSeconds(15), ct) == 0;
            }
            catch (SocketException)
            {
                closed = true;
            }
        }

        Assert.True(closed, "a client sending garbage to the agent port is disconnected");

        // A client that says nothing is cut when the handshake timeout (10 s) runs out.
        using var silent = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await silent.ConnectAsync(_edge.Endpoints.Agents!, ct);
        var silentEnd = silent.ReceiveAsync(buffer, ct).AsTask();
        Assert.Equal(1, await AgentConnectionsAsync(expected: 1, ct));
        Assert.Equal(0, await silentEnd.WaitAsync(TimeSpan.FromSeconds(30), ct));
        Assert.Equal(0, await AgentConnectionsAsync(expected: 0, ct));
    }

    /// <summary>Polls /healthz until agent_connections is <paramref name="expected"/> (or 10 s pass) and returns the last value.</summary>
    private async Task<int> AgentConnectionsAsync(int expected, CancellationToken ct)
    {
        var value = -1;
        for (var i = 0; i < 100; i++)
        {
            using var json = JsonDocument.Parse(await _health.GetStringAsync("healthz", ct));
            value = json.RootElement.GetProperty("agent_connections").GetInt32();
            if (value == expected)
            {
                return value;
            }

            await Task.Delay(100, ct);
        }

        return value;
    }
}

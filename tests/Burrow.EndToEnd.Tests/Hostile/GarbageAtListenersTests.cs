using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Hostile;

/// <summary>
/// Random and malformed bytes at every listener the edge has — the agent port before and after TLS,
/// public HTTP, public HTTPS before and after TLS, a TCP tunnel's port. Each connection is answered
/// with an error or closed within a bound (never held), the edge lets go of every one of them, and
/// the normal tunnel answers afterwards.
/// </summary>
public sealed class GarbageAtListenersTests(HostileEdgeFixture fixture) : IClassFixture<HostileEdgeFixture>
{
    private static readonly byte[][] Malformed =
    [
        "GET / HTTP/1.1\r\nHost: \0\r\n\r\n"u8.ToArray(),
        "GET / HTTP/9.9\r\n\r\n"u8.ToArray(),
        Encoding.ASCII.GetBytes("GET /" + new string('a', 20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"u8.ToArray(),
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n"u8.ToArray(),
        "\r\n\r\n\r\n\r\n"u8.ToArray(),
        [0x16, 0x03, 0x01, 0xFF, 0xFF, 0x01, 0x00, 0xFF, 0xFF], // a TLS record header claiming a huge ClientHello
        [0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00], // a ClientHello too short to be one
    ];

    public static TheoryData<string> Listeners => ["agent", "agent after tls", "http", "https", "https after tls"];

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Listeners))]
    public async Task Garbage_is_refused_or_closed_and_the_edge_serves_everyone_else(string listener)
    {
        var random = new Random(listener.GetHashCode(StringComparison.Ordinal));
        var payloads = new List<byte[]>(Malformed);
        for (int i = 0; i < 16; i++)
        {
            byte[] bytes = new byte[1 + random.Next(i % 2 == 0 ? 64 : 64 * 1024)];
            random.NextBytes(bytes);
            payloads.Add(bytes);
        }

        // All at once: the edge must cope with them together, and the test waits only for the slowest.
        string[] outcomes = await Task.WhenAll(payloads.Select(async payload =>
        {
            await using Stream stream = await ConnectAsync(listener);
            try
            {
                await stream.WriteAsync(payload);
                await stream.FlushAsync();
            }
            catch (IOException)
            {
                // Closed while we were still writing: a refusal too.
            }

            string outcome = await OutcomeAsync(stream);
            return outcome == "held open" ? $"held open after {payload.Length} bytes" : outcome;
        }));
        Assert.DoesNotContain(outcomes, o => o.StartsWith("held open", StringComparison.Ordinal));

        EdgeHealth health = await ProcessStats.SettleAsync(fixture.Edge.HealthAsync,
            h => h.PublicConnections == 0 && h.AgentConnections == 1, TimeSpan.FromSeconds(20));
        Assert.True(health.PublicConnections == 0 && health.AgentConnections == 1, $"{listener}: the edge still holds {health} ({string.Join(", ", outcomes)})");
        Assert.Equal(1, health.SessionsOnline);
        await fixture.AssertStillServingAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task Garbage_at_a_tcp_tunnel_port_reaches_the_upstream_as_bytes_and_nothing_else()
    {
        using var state = new TempDirectory();
        await using var echo = TcpUpstream.Start(TcpUpstream.Mode.Echo);
        await using var agent = await TcpAgentRun.StartAsync([echo.Port.ToString(CultureInfo.InvariantCulture), .. fixture.Edge.AgentArgs()], state.Path);
        var random = new Random(11);
        for (int i = 0; i < 8; i++)
        {
            byte[] garbage = new byte[1 + random.Next(256 * 1024)];
            random.NextBytes(garbage);
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, agent.Port);
            await using var stream = new NetworkStream(socket);
            Task write = Task.Run(async () =>
            {
                await stream.WriteAsync(garbage);
                socket.Shutdown(SocketShutdown.Send);
            });
            using var received = new MemoryStream();
            await stream.CopyToAsync(received).WaitAsync(TimeSpan.FromSeconds(30));
            await write;
            Assert.True(garbage.AsSpan().SequenceEqual(received.ToArray()), $"{received.Length} of {garbage.Length} bytes came back, or not the same");
        }

        await fixture.AssertStillServingAsync();
    }

    private async Task<Stream> ConnectAsync(string listener)
    {
        int port = listener switch
        {
            "agent" or "agent after tls" => int.Parse(fixture.Edge.AgentAddress[(fixture.Edge.AgentAddress.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture),
            "http" => fixture.Edge.HttpPort,
            _ => fixture.Edge.HttpsPort,
        };
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var network = new NetworkStream(socket, ownsSocket: true);
        if (!listener.EndsWith("after tls", StringComparison.Ordinal))
        {
            return network;
        }

        var ssl = new SslStream(network);
        SslClientAuthenticationOptions options = Clients.TrustingOptions(fixture.Edge.CaPath);
        options.TargetHost = listener == "agent after tls" ? "localhost" : new Uri(fixture.Agent.HttpsUrl.ToString()).Host;
        options.ApplicationProtocols = listener == "agent after tls" ? [new SslApplicationProtocol("burrow/1")] : [SslApplicationProtocol.Http11];
        await ssl.AuthenticateAsClientAsync(options);
        return ssl;
    }

    /// <summary>"closed", "answered: status line", or "held open" when nothing happened within the bound.</summary>
    private static async Task<string> OutcomeAsync(Stream stream)
    {
        byte[] buffer = new byte[16 * 1024];
        var answer = new StringBuilder();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, bound.Token)) > 0)
            {
                if (answer.Length < 200)
                {
                    answer.Append(Encoding.ASCII.GetString(buffer, 0, Math.Min(read, 200)));
                }
            }
        }
        catch (OperationCanceledException)
        {
            return "held open";
        }
        catch (IOException)
        {
            // Reset: closed.
        }

        return answer.Length == 0 ? "closed" : "answered: " + answer.ToString().Split('\r')[0];
    }
}

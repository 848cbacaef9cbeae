using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Burrow.EndToEnd.Tests.Harness;
using static Burrow.EndToEnd.Tests.Harness.TcpTunnelFixture;

namespace Burrow.EndToEnd.Tests.Tcp;

/// <summary>Raw TCP through a real edge and agent: bytes both ways, half-close, concurrency, CIDR rules, dead upstreams, requested ports.</summary>
public sealed class TcpTunnelTests(TcpTunnelFixture fixture) : IClassFixture<TcpTunnelFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 30_000)]
    public void Agent_prints_the_tcp_url_and_the_edge_gives_a_port_from_its_range()
    {
        Assert.Equal("tcp", fixture.EchoAgent.Url.Scheme);
        Assert.InRange(fixture.EchoAgent.Port, fixture.MinPort, fixture.MaxPort);
        Assert.Contains($"-> localhost:{I(fixture.Echo.Port)}", fixture.EchoAgent.Process.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Echo_of_10_MiB_comes_back_whole()
    {
        byte[] data = RandomNumberGenerator.GetBytes(10 * 1024 * 1024);
        using Socket socket = await ConnectAsync(fixture.EchoAgent.Port);

        Task send = Task.Run(async () =>
        {
            await socket.SendAsync(data, SocketFlags.None, Ct);
            socket.Shutdown(SocketShutdown.Send);
        }, Ct);
        byte[] received = await ReadToEndAsync(socket);
        await send;

        Assert.Equal(data.Length, received.Length);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(received));
    }

    [Fact(Timeout = 30_000)]
    public async Task Half_close_carries_the_client_FIN_and_the_reply_still_arrives()
    {
        byte[] data = RandomNumberGenerator.GetBytes(1024 * 1024 + 17);
        using Socket socket = await ConnectAsync(fixture.HashAgent.Port);

        await socket.SendAsync(data, SocketFlags.None, Ct);
        socket.Shutdown(SocketShutdown.Send);
        byte[] reply = await ReadToEndAsync(socket);

        // The upstream answers only once it has read end of stream.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), Encoding.ASCII.GetString(reply));
    }

    [Fact(Timeout = 60_000)]
    public async Task Fifty_concurrent_connections_each_get_their_own_bytes_back()
    {
        var tasks = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            byte[] data = RandomNumberGenerator.GetBytes(64 * 1024 + i);
            using Socket socket = await ConnectAsync(fixture.EchoAgent.Port);
            Task send = Task.Run(async () =>
            {
                await socket.SendAsync(data, SocketFlags.None, Ct);
                socket.Shutdown(SocketShutdown.Send);
            }, Ct);
            byte[] received = await ReadToEndAsync(socket);
            await send;
            Assert.Equal(data, received);
        }, Ct));

        await Task.WhenAll(tasks);
    }

    [Fact(Timeout = 30_000)]
    public async Task Refused_cidr_closes_the_connection_at_once_and_nothing_reaches_the_upstream()
    {
        await using var upstream = TcpUpstream.Start(TcpUpstream.Mode.Echo);
        await using var agent = await fixture.StartAgentAsync([I(upstream.Port), "--cidr-allow", "10.0.0.0/8"]);
        using Socket socket = await ConnectAsync(agent.Port);
        var clock = Stopwatch.StartNew();

        byte[] received = await ReadToEndOrResetAsync(socket, sendFirst: "hello"u8.ToArray());

        Assert.Empty(received);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"closed after {clock.Elapsed}");
        Assert.Equal(0, upstream.Accepted);

        // Deny wins too, for an address the allow list would let in.
        await using var denied = await fixture.StartAgentAsync([I(upstream.Port), "--cidr-deny", "127.0.0.0/8"]);
        using Socket second = await ConnectAsync(denied.Port);
        Assert.Empty(await ReadToEndOrResetAsync(second, sendFirst: "hello"u8.ToArray()));
        Assert.Equal(0, upstream.Accepted);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_traffic_policy_on_tcp_connect_closes_matching_connections_before_the_upstream_and_lets_others_through()
    {
        string dir = Directory.CreateTempSubdirectory("burrow-tcp-policy-").FullName;
        try
        {
            string deny = Path.Combine(dir, "deny.yml");
            File.WriteAllText(deny, "on_tcp_connect:\n  - name: no-loopback\n    expressions: [\"inCidrRange(conn.client_ip, '127.0.0.0/8') && endpoint.protocol == 'tcp'\"]\n    actions: [{type: deny}]\n");
            string pass = Path.Combine(dir, "pass.yml");
            File.WriteAllText(pass, "on_tcp_connect:\n  - expressions: [\"conn.client_ip == '192.0.2.1'\"]\n    actions: [{type: close-connection}]\n  - actions: [{type: restrict-ips, config: {allow: [127.0.0.0/8]}}]\n");
            await using var upstream = TcpUpstream.Start(TcpUpstream.Mode.Echo);

            await using (var denied = await fixture.StartAgentAsync([I(upstream.Port), "--traffic-policy-file", deny]))
            {
                using Socket socket = await ConnectAsync(denied.Port);
                Assert.Empty(await ReadToEndOrResetAsync(socket, sendFirst: "hello"u8.ToArray()));
                Assert.Equal(0, upstream.Accepted);
            }

            await using var allowed = await fixture.StartAgentAsync([I(upstream.Port), "--traffic-policy-file", pass]);
            using Socket through = await ConnectAsync(allowed.Port);
            await through.SendAsync("hello"u8.ToArray(), SocketFlags.None, Ct);
            byte[] echoed = new byte[5];
            int got = 0;
            while (got < echoed.Length)
            {
                int read = await through.ReceiveAsync(echoed.AsMemory(got), SocketFlags.None, Ct);
                Assert.True(read > 0, "closed before the echo");
                got += read;
            }

            Assert.Equal("hello", Encoding.ASCII.GetString(echoed));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Dead_upstream_closes_the_public_connection_promptly_and_the_agent_logs_the_code()
    {
        int deadPort = DeadPort();
        await using var agent = await fixture.StartAgentAsync([$"127.0.0.1:{I(deadPort)}"]);
        using Socket socket = await ConnectAsync(agent.Port);
        var clock = Stopwatch.StartNew();

        byte[] received = await ReadToEndOrResetAsync(socket, sendFirst: "hello"u8.ToArray());

        Assert.Empty(received);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"closed after {clock.Elapsed}");
        var line = await agent.Process.WaitForLineAsync(@"ERR_BURROW_3002: .*");
        Assert.Contains($"127.0.0.1:{I(deadPort)}", line.Value, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Requested_port_is_given_when_free_and_refused_with_2005_when_taken()
    {
        int port = fixture.FreePortInRange();
        await using var first = await fixture.StartAgentAsync([I(fixture.Echo.Port), "--url", $"tcp://localhost:{I(port)}"]);
        Assert.Equal(port, first.Port);
        using (Socket socket = await ConnectAsync(port))
        {
            await socket.SendAsync("ping"u8.ToArray(), SocketFlags.None, Ct);
            socket.Shutdown(SocketShutdown.Send);
            Assert.Equal("ping", Encoding.ASCII.GetString(await ReadToEndAsync(socket)));
        }

        await using var second = await fixture.StartAgentAsync([I(fixture.Echo.Port), "--url", $"tcp://localhost:{I(port)}"], waitForUrl: false);
        var refused = await second.Process.WaitForLineAsync(@"ERR_BURROW_2005: .*");
        Assert.Contains(I(port), refused.Value, StringComparison.Ordinal);
        Assert.Equal(1, await second.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));

        int outside = fixture.MaxPort + 1;
        await using var third = await fixture.StartAgentAsync([I(fixture.Echo.Port), "--url", $"tcp://localhost:{I(outside)}"], waitForUrl: false);
        var outOfRange = await third.Process.WaitForLineAsync(@"ERR_BURROW_2005: .*");
        Assert.Contains($"{I(fixture.MinPort)}-{I(fixture.MaxPort)}", outOfRange.Value, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Port_held_by_another_program_is_refused_with_2005_and_the_agent_exits()
    {
        int port = fixture.FreePortInRange();
        using var squatter = new TcpListener(IPAddress.Loopback, port);
        squatter.Start();

        await using var agent = await fixture.StartAgentAsync([I(fixture.Echo.Port), "--url", $"tcp://localhost:{I(port)}"], waitForUrl: false);

        var refused = await agent.Process.WaitForLineAsync(@"ERR_BURROW_2005: .*");
        Assert.Contains(I(port), refused.Value, StringComparison.Ordinal);
        Assert.Equal(1, await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.DoesNotContain("Forwarding", agent.Process.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Agent_that_comes_back_within_the_grace_period_gets_the_same_port()
    {
        using var state = new TempDirectory();
        int port;
        await using (var agent = await fixture.StartAgentAsync([I(fixture.Echo.Port)], stateDir: state.Path))
        {
            port = agent.Port;
            agent.Process.Kill();
        }

        // While the agent is away the port stays reserved; a client is let go at once.
        using (Socket away = await ConnectAsync(port))
        {
            Assert.Empty(await ReadToEndOrResetAsync(away, sendFirst: "hello"u8.ToArray()));
        }

        await using var back = await fixture.StartAgentAsync([I(fixture.Echo.Port)], stateDir: state.Path);
        Assert.Equal(port, back.Port);
        using Socket socket = await ConnectAsync(port);
        await socket.SendAsync("again"u8.ToArray(), SocketFlags.None, Ct);
        socket.Shutdown(SocketShutdown.Send);
        Assert.Equal("again", Encoding.ASCII.GetString(await ReadToEndAsync(socket)));
    }

    [Fact(Timeout = 60_000)]
    public async Task Port_is_released_when_the_session_expires()
    {
        await using var edge = await EdgeRun.StartAsync(extra: ["--tcp-ports", $"{I(fixture.MinPort)}-{I(fixture.MaxPort)}", "--resume-grace", "1s"]);
        using var state = new TempDirectory();
        int port;
        await using (var agent = await TcpAgentRun.StartAsync([I(fixture.Echo.Port), .. edge.AgentArgs()], state.Path))
        {
            port = agent.Port;
            agent.Process.Kill();
        }

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using Socket socket = await ConnectAsync(port);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
            {
                break;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                // Caught in the listener's backlog as it closed: ask again.
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), "the port is still open long after the grace period");
            await Task.Delay(200, Ct);
        }
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), Ct);
        return socket;
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var received = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, Ct)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return received.ToArray();
    }

    /// <summary>Reads until the edge closes the connection, by FIN or RST; what arrived before.</summary>
    private static async Task<byte[]> ReadToEndOrResetAsync(Socket socket, byte[] sendFirst)
    {
        using var received = new MemoryStream();
        try
        {
            await socket.SendAsync(sendFirst, SocketFlags.None, Ct);
            byte[] buffer = new byte[4096];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, Ct)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // Reset: closed too.
        }

        return received.ToArray();
    }

    private static int DeadPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

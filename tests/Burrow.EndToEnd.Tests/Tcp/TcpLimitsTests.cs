using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Burrow.EndToEnd.Tests.Harness;
using static Burrow.EndToEnd.Tests.Harness.TcpTunnelFixture;

namespace Burrow.EndToEnd.Tests.Tcp;

/// <summary>
/// The idle timeout and connection limit of TCP tunnels, through a real edge and agent: an idle
/// connection is closed while a busy one lives on, the (N+1)th connection is refused until one
/// closes, the edge's values cap the agent's, and bad values are refused with their codes.
/// </summary>
public sealed class TcpLimitsTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(4);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 90_000)]
    public async Task Idle_connection_is_closed_after_the_timeout_while_a_busy_one_stays_open()
    {
        await using var edge = await StartEdgeAsync();
        await using var upstream = TcpUpstream.Start(TcpUpstream.Mode.Echo);
        using var state = new TempDirectory();
        await using var agent = await TcpAgentRun.StartAsync([I(upstream.Port), "--idle-timeout", "4s", .. edge.AgentArgs()], state.Path);
        using Socket idle = await ConnectAsync(agent.Port);
        using Socket busy = await ConnectAsync(agent.Port);
        // Both connections reach the upstream (one echo each); the idle one's last byte moves after the clock starts.
        await EchoAsync(busy, "busy");
        var clock = Stopwatch.StartNew();
        await EchoAsync(idle, "idle");
        Task<TimeSpan> idleClosed = WaitClosedAsync(idle, clock);

        // The busy connection sends a byte every 250 ms for well past the timeout.
        while (clock.Elapsed < IdleTimeout * 2.5)
        {
            await EchoAsync(busy, "x");
            await Task.Delay(250, Ct);
        }

        TimeSpan closedAt = await idleClosed.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.True(closedAt >= IdleTimeout - TimeSpan.FromMilliseconds(100), $"the idle connection was closed after {closedAt}, before its timeout");
        await EchoAsync(busy, "still open");
        var line = await edge.Process.WaitForLineAsync(@".*no bytes either way for 00:00:04 \(ERR_BURROW_3010\)");
        Assert.Contains(I(agent.Port), line.Value, StringComparison.Ordinal);

        // After going idle itself, the busy connection is closed too.
        Task<TimeSpan> busyClosed = WaitClosedAsync(busy, clock);
        await busyClosed.WaitAsync(TimeSpan.FromSeconds(30), Ct);
    }

    [Fact(Timeout = 90_000)]
    public async Task Connection_over_the_limit_is_closed_at_once_and_one_is_accepted_again_after_another_closes()
    {
        const int limit = 3;
        await using var edge = await StartEdgeAsync();
        await using var upstream = TcpUpstream.Start(TcpUpstream.Mode.Echo);
        using var state = new TempDirectory();
        await using var agent = await TcpAgentRun.StartAsync([I(upstream.Port), "--max-connections", I(limit), .. edge.AgentArgs()], state.Path);
        var held = new List<Socket>();
        try
        {
            for (int i = 0; i < limit; i++)
            {
                Socket socket = await ConnectAsync(agent.Port);
                held.Add(socket);
                await EchoAsync(socket, $"held {I(i)}");
            }

            using (Socket over = await ConnectAsync(agent.Port))
            {
                var clock = Stopwatch.StartNew();
                Assert.Empty(await ReadToEndOrResetAsync(over, "one too many"u8.ToArray()));
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"closed after {clock.Elapsed}");
            }

            // Nothing of the refused connection reached the agent's upstream.
            Assert.Equal(limit, upstream.Accepted);
            var line = await edge.Process.WaitForLineAsync(@".*limit of 3 connections \(ERR_BURROW_3011\)");
            Assert.Contains(I(agent.Port), line.Value, StringComparison.Ordinal);
            foreach (Socket socket in held)
            {
                await EchoAsync(socket, "still here");
            }

            // One closes (both ways); a new connection is then carried again.
            Socket first = held[0];
            held.RemoveAt(0);
            first.Shutdown(SocketShutdown.Send);
            await ReadToEndOrResetAsync(first, []);
            first.Dispose();
            await AcceptedEventuallyAsync(agent.Port);
            Assert.Equal(limit + 1, upstream.Accepted);
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Edge_values_cap_the_agent_values()
    {
        await using var edge = await StartEdgeAsync("--tcp-idle-timeout", "3s", "--tcp-max-connections", "2");
        Assert.Contains("idle timeout 00:00:03, at most 2 connections per tunnel", edge.Process.Output, StringComparison.Ordinal);
        await using var upstream = TcpUpstream.Start(TcpUpstream.Mode.Echo);
        using var state = new TempDirectory();
        await using var agent = await TcpAgentRun.StartAsync(
            [I(upstream.Port), "--idle-timeout", "1h", "--max-connections", "100", .. edge.AgentArgs()], state.Path);

        using Socket a = await ConnectAsync(agent.Port);
        using Socket b = await ConnectAsync(agent.Port);
        await EchoAsync(a, "a");
        await EchoAsync(b, "b");
        var clock = Stopwatch.StartNew();
        using (Socket c = await ConnectAsync(agent.Port))
        {
            Assert.Empty(await ReadToEndOrResetAsync(c, "c"u8.ToArray()));
        }

        Assert.Equal(2, upstream.Accepted);
        await edge.Process.WaitForLineAsync(@"limit of 2 connections \(ERR_BURROW_3011\)");

        // The edge's 3 s wins over the agent's hour.
        TimeSpan closedAt = await WaitClosedAsync(a, clock).WaitAsync(TimeSpan.FromSeconds(40), Ct);
        Assert.True(closedAt < TimeSpan.FromSeconds(40));
        await edge.Process.WaitForLineAsync(@"no bytes either way for 00:00:03 \(ERR_BURROW_3010\)");
    }

    [Theory(Timeout = 30_000)]
    [InlineData("tcp", "--idle-timeout", "0", "ERR_BURROW_2013")]
    [InlineData("tcp", "--idle-timeout", "soon", "ERR_BURROW_2013")]
    [InlineData("tcp", "--idle-timeout", "800h", "ERR_BURROW_2013")]
    [InlineData("tcp", "--max-connections", "0", "ERR_BURROW_2014")]
    [InlineData("tcp", "--max-connections", "many", "ERR_BURROW_2014")]
    [InlineData("tls", "--idle-timeout", "-1s", "ERR_BURROW_2013")]
    [InlineData("tls", "--max-connections", "1000001", "ERR_BURROW_2014")]
    public async Task Bad_agent_values_are_refused_before_connecting(string command, string flag, string value, string code)
    {
        // The agent checks its flags before it connects: no edge is needed to see them refused.
        await using var run = BurrowProcess.Start([command, "8080", flag, value, "--server", "127.0.0.1:1", "--authtoken", "brw_e2e_test_token"]);

        var line = await run.WaitForLineAsync($"{code}: .*");

        Assert.Contains($"'{value}'", line.Value, StringComparison.Ordinal);
        Assert.Equal(2, await run.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("--tcp-idle-timeout", "later", "ERR_BURROW_2013")]
    [InlineData("--tcp-max-connections", "0", "ERR_BURROW_2014")]
    [InlineData("--tcp-max-connections", "-5", "ERR_BURROW_2014")]
    public async Task Bad_edge_values_are_refused_at_parse(string flag, string value, string code)
    {
        using var data = new TempDirectory();
        await using var run = BurrowProcess.Start(["server", "--data-dir", data.Path, "--agent-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", flag, value]);

        var line = await run.WaitForLineAsync($"{code}: .*");

        Assert.Contains($"'{value}'", line.Value, StringComparison.Ordinal);
        Assert.NotEqual(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    /// <summary>An edge of its own with a small TCP port range, logging at info so that 3010 lines show.</summary>
    private static Task<EdgeRun> StartEdgeAsync(params string[] extra)
    {
        int min = FreeRange(4);
        return EdgeRun.StartAsync(extra: ["--tcp-ports", $"{I(min)}-{I(min + 3)}", .. extra], logLevel: "info");
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), Ct);
        return socket;
    }

    /// <summary>Sends <paramref name="text"/> and reads the same bytes back from the echo upstream.</summary>
    private static async Task EchoAsync(Socket socket, string text)
    {
        byte[] data = Encoding.ASCII.GetBytes(text);
        await socket.SendAsync(data, SocketFlags.None, Ct);
        byte[] back = new byte[data.Length];
        int total = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (total < back.Length)
        {
            int read = await socket.ReceiveAsync(back.AsMemory(total), SocketFlags.None, timeout.Token);
            Assert.True(read > 0, $"the connection closed after {I(total)} of {I(back.Length)} echoed bytes");
            total += read;
        }

        Assert.Equal(text, Encoding.ASCII.GetString(back));
    }

    /// <summary>Completes when the edge closes the connection (FIN or RST), with the time on <paramref name="clock"/> then; fails on bytes.</summary>
    private static async Task<TimeSpan> WaitClosedAsync(Socket socket, Stopwatch clock)
    {
        byte[] buffer = new byte[64];
        try
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, Ct);
            Assert.Equal(0, read);
        }
        catch (SocketException)
        {
            // Reset: closed too.
        }

        return clock.Elapsed;
    }

    /// <summary>Connects until a connection echoes (a close in progress may still count for a moment).</summary>
    private static async Task AcceptedEventuallyAsync(int port)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using Socket socket = await ConnectAsync(port);
            byte[] received = await ReadToEndOrResetAsync(socket, "again"u8.ToArray(), shutdown: true);
            if (Encoding.ASCII.GetString(received) == "again")
            {
                return;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "no connection was accepted after one of the held ones closed");
            await Task.Delay(200, Ct);
        }
    }

    /// <summary>Reads until the edge closes the connection, by FIN or RST; what arrived before.</summary>
    private static async Task<byte[]> ReadToEndOrResetAsync(Socket socket, byte[] sendFirst, bool shutdown = false)
    {
        using var received = new MemoryStream();
        try
        {
            if (sendFirst.Length > 0)
            {
                await socket.SendAsync(sendFirst, SocketFlags.None, Ct);
            }

            if (shutdown)
            {
                socket.Shutdown(SocketShutdown.Send);
            }

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
}

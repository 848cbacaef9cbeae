using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Admin;

/// <summary>
/// The edge's per-tunnel traffic log through the real <c>burrow admin tail</c>: recent requests with their sizes and
/// codes, and new ones followed live; and a tcp tunnel's connections.
/// </summary>
public sealed class TrafficLogTests(TcpTunnelFixture tcp) : IClassFixture<TcpTunnelFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 120_000)]
    public async Task Tail_shows_recent_requests_then_follows_new_ones_with_their_error_codes()
    {
        await using var edge = await EdgeRun.StartAsync();
        var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()], state.Path);
        using HttpClient client = Clients.Create(edge.CaPath);
        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage response = await client.GetAsync(new Uri(agent.HttpUrl!, $"/hello?n={i}"), Ct);
            Assert.True(response.IsSuccessStatusCode);
        }

        using (var body = new StringContent(new string('b', 5000)))
        {
            using HttpResponseMessage posted = await client.PostAsync(new Uri(agent.HttpUrl!, "/echo-hash"), body, Ct);
        }

        AdminCli.Result recent = await AdminCli.RunAsync(edge, "tail", agent.HttpUrl!.ToString(), "--no-follow", "-n", "10", "--json");
        Assert.True(recent.ExitCode == 0, recent.Output);
        JsonElement[] entries = [.. recent.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
        Assert.Equal(["/hello?n=0", "/hello?n=1", "/hello?n=2", "/echo-hash"], entries.Select(e => e.GetProperty("path").GetString()));
        JsonElement first = entries[0];
        Assert.Equal("GET", first.GetProperty("method").GetString());
        Assert.Equal(200, first.GetProperty("status").GetInt32());
        Assert.Equal("127.0.0.1", first.GetProperty("client").GetString());
        Assert.True(first.GetProperty("bytes_out").GetInt64() > 0);
        Assert.True(first.GetProperty("duration_ms").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, first.GetProperty("error_code").ValueKind);
        Assert.Equal(5000, entries[3].GetProperty("bytes_in").GetInt64());

        // Follow by tunnel id: the backlog first, then what happens next, including an upstream that went away.
        string tunnelId = Assert.Single((await AdminCli.RunAsync(edge, "tunnels", "list", "--json")).Json.EnumerateArray()).GetProperty("id").GetString()!;
        await using var tail = BurrowProcess.Start(
            ["admin", "tail", tunnelId, "-n", "1", "--admin-url", edge.AdminUrl!, "--data-dir", edge.DataDir],
            new Dictionary<string, string> { ["BURROW_API_KEY"] = "", ["BURROW_ADMIN_URL"] = "" });
        await tail.WaitForLineAsync(@"POST /echo-hash  200", TimeSpan.FromSeconds(30));
        using (HttpResponseMessage live = await client.GetAsync(new Uri(agent.HttpUrl!, "/hello?live=1"), Ct))
        {
            Assert.True(live.IsSuccessStatusCode);
        }

        await tail.WaitForLineAsync(@"127\.0\.0\.1  GET /hello\?live=1  200  [\d.]+ ms  in 0 B  out \d+", TimeSpan.FromSeconds(30));
        await upstream.DisposeAsync();
        using (HttpResponseMessage gone = await client.GetAsync(new Uri(agent.HttpUrl!, "/after"), Ct))
        {
            Assert.Equal(HttpStatusCode.BadGateway, gone.StatusCode);
        }

        await tail.WaitForLineAsync(@"GET /after  502 .*ERR_BURROW_3002", TimeSpan.FromSeconds(30));
        Assert.False(tail.HasExited);

        AdminCli.Result unknown = await AdminCli.RunAsync(edge, "tail", "tun_nope", "--no-follow");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("ERR_BURROW_8002", unknown.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_tcp_tunnels_connections_are_logged_with_their_bytes()
    {
        string marker = "traffic-log-" + Guid.NewGuid().ToString("n");
        using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, tcp.EchoAgent.Port), Ct);
            await socket.SendAsync(Encoding.ASCII.GetBytes(marker), SocketFlags.None, Ct);
            socket.Shutdown(SocketShutdown.Send);
            var buffer = new byte[256];
            int total = 0;
            int read;
            while ((read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, Ct)) > 0)
            {
                total += read;
            }

            Assert.Equal(marker.Length, total);
        }

        // The entry is added when the edge has finished with the connection, just after the client saw its end.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            AdminCli.Result recent = await AdminCli.RunAsync(tcp.Edge, "tail", tcp.EchoAgent.Url.ToString(), "--no-follow", "-n", "100", "--json");
            Assert.True(recent.ExitCode == 0, recent.Output);
            JsonElement[] entries = [.. recent.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
            if (entries.Any(e => e.GetProperty("bytes_in").GetInt64() == marker.Length))
            {
                JsonElement entry = entries.Last(e => e.GetProperty("bytes_in").GetInt64() == marker.Length);
                Assert.Equal("TCP", entry.GetProperty("method").GetString());
                Assert.Equal(marker.Length, entry.GetProperty("bytes_out").GetInt64());
                Assert.Equal("127.0.0.1", entry.GetProperty("client").GetString());
                break;
            }

            await Task.Delay(200, deadline.Token);
        }
    }
}

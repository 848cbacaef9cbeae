using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Protocol.Messages;

namespace Burrow.EndToEnd.Tests.Hostile;

/// <summary>
/// Header floods, oversized headers and bodies, and slowloris clients against an edge with its
/// limits set: each gets a clear refusal (431 or 413 with a code, or a closed connection past the
/// hard limits) and a normal client is served throughout.
/// </summary>
public sealed class RequestLimitTests
{
    [Fact(Timeout = 90_000)]
    public async Task Oversized_headers_and_bodies_are_refused_with_codes_and_normal_requests_still_pass()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync(extra: ["--max-request-body", "1048576", .. EdgeRun.WithHealth]);
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()], state.Path);
        using var client = Clients.Create(edge.CaPath);
        Uri hello = new(agent.HttpsUrl, "/hello");

        // 150 headers: over the 100 allowed, under Kestrel's hard 200.
        using (var many = new HttpRequestMessage(HttpMethod.Get, hello))
        {
            for (int i = 0; i < 150; i++)
            {
                many.Headers.Add($"X-Flood-{i}", "v");
            }

            using var response = await client.SendAsync(many, ct);
            Assert.Equal((HttpStatusCode)431, response.StatusCode);
            Assert.Equal("ERR_BURROW_3013", response.Headers.GetValues("Burrow-Error-Code").Single());
            Assert.Contains("headers exceeds the limit of 100 headers", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        // One 40 KiB cookie: over the 32 KiB allowed.
        using (var big = new HttpRequestMessage(HttpMethod.Get, hello))
        {
            big.Headers.Add("Cookie", "session=" + new string('c', 40 * 1024));
            using var response = await client.SendAsync(big, ct);
            Assert.Equal((HttpStatusCode)431, response.StatusCode);
            Assert.Equal("ERR_BURROW_3013", response.Headers.GetValues("Burrow-Error-Code").Single());
        }

        // A flood far past the hard limit: refused before any handler, and the connection closed.
        string flood = await RawHttpAsync(edge.HttpPort,
            "GET /hello HTTP/1.1\r\nHost: " + agent.HttpsUrl.Host + "\r\n" + string.Concat(Enumerable.Range(0, 5000).Select(i => $"X-F{i}: {i}\r\n")) + "\r\n");
        Assert.StartsWith("HTTP/1.1 431", flood, StringComparison.Ordinal);

        // A declared body over the limit is refused before a byte of it is read.
        using (var response = await client.PostAsync(new Uri(agent.HttpsUrl, "/echo-hash"), new ByteArrayContent(new byte[2 * 1024 * 1024]), ct))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("ERR_BURROW_3014", response.Headers.GetValues("Burrow-Error-Code").Single());
        }

        // A chunked body that grows past the limit is cut off there with the same answer.
        using (var chunked = new HttpRequestMessage(HttpMethod.Post, new Uri(agent.HttpsUrl, "/echo-hash")))
        {
            chunked.Content = new StreamContent(new MemoryStream(new byte[2 * 1024 * 1024]));
            chunked.Headers.TransferEncodingChunked = true;
            HttpResponseMessage? response = null;
            Exception? error = await Record.ExceptionAsync(async () => response = await client.SendAsync(chunked, ct));
            using (response)
            {
                // The edge answers 413 as soon as the limit is crossed; a client still sending may see the close first.
                Assert.True(response?.StatusCode == HttpStatusCode.RequestEntityTooLarge || error is HttpRequestException,
                    $"{response?.StatusCode} {error}");
                if (response is not null)
                {
                    Assert.Equal("ERR_BURROW_3014", response.Headers.GetValues("Burrow-Error-Code").Single());
                }
            }
        }

        // Within the limits all is as usual.
        byte[] body = RandomNumberGenerator.GetBytes(512 * 1024);
        using (var ok = await client.PostAsync(new Uri(agent.HttpsUrl, "/echo-hash"), new ByteArrayContent(body), ct))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal($"{body.Length} {Convert.ToHexStringLower(SHA256.HashData(body))}", await ok.Content.ReadAsStringAsync(ct));
        }

        Assert.Equal("hello from upstream", await client.GetStringAsync(hello, ct));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_thousand_slowloris_clients_do_not_stop_a_normal_client_and_are_closed_at_the_header_timeout()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync(extra: ["--request-headers-timeout", "4s", .. EdgeRun.WithHealth]);
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()], state.Path);
        using var client = Clients.Create(edge.CaPath);

        const int Slow = 1000;
        var sockets = new List<Socket>(Slow);
        try
        {
            byte[] start = Encoding.ASCII.GetBytes($"GET /hello HTTP/1.1\r\nHost: {agent.HttpUrl!.Host}\r\nX-Slow: ");
            for (int i = 0; i < Slow; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, edge.HttpPort, ct);
                await socket.SendAsync(start, SocketFlags.None, ct);
                sockets.Add(socket);
            }

            using var trickling = new CancellationTokenSource();
            Task trickle = Task.Run(async () =>
            {
                // One byte a second on every connection, as a slowloris client does.
                while (!trickling.IsCancellationRequested)
                {
                    foreach (Socket socket in sockets)
                    {
                        try
                        {
                            await socket.SendAsync("a"u8.ToArray(), SocketFlags.None);
                        }
                        catch (SocketException)
                        {
                            // Closed by the edge: what should happen.
                        }
                    }

                    await Task.Delay(1000, CancellationToken.None);
                }
            }, ct);

            // A normal client is served while they trickle.
            for (int i = 0; i < 5; i++)
            {
                var clock = Stopwatch.StartNew();
                Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(agent.HttpsUrl, "/hello"), ct));
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"a normal request took {clock.Elapsed} among {Slow} slow clients");
            }

            // Past the header timeout the edge has closed them.
            EdgeHealth health = await ProcessStats.SettleAsync(edge.HealthAsync, h => h.PublicConnections <= 1, TimeSpan.FromSeconds(40));
            await trickling.CancelAsync();
            await trickle;
            Assert.True(health.PublicConnections <= 1, $"the edge still holds {health.PublicConnections} public connections");
            int closed = 0;
            foreach (Socket socket in sockets)
            {
                socket.ReceiveTimeout = 1;
                try
                {
                    byte[] buffer = new byte[1024];
                    while (socket.Poll(0, SelectMode.SelectRead) && socket.Receive(buffer) > 0)
                    {
                    }

                    closed += socket.Poll(0, SelectMode.SelectRead) ? 1 : 0;
                }
                catch (SocketException)
                {
                    closed++;
                }
            }

            Assert.True(closed >= Slow * 99 / 100, $"only {closed} of {Slow} slow connections were closed");
            Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(agent.HttpsUrl, "/hello"), ct));
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Authtoken_guessing_is_limited_per_address_logged_and_other_addresses_are_not_affected()
    {
        await using var edge = await EdgeRun.StartAsync(extra: ["--auth-failures-per-minute", "5"]);

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("ERR_BURROW_1002", await AuthCodeAsync(edge, $"brw_guess_{i}", IPAddress.Loopback));
        }

        Assert.Equal("ERR_BURROW_5010", await AuthCodeAsync(edge, "brw_guess_5", IPAddress.Loopback));
        // Now even the right token from there is refused before it is looked at: guessing it right does not help.
        Assert.Equal("ERR_BURROW_5010", await AuthCodeAsync(edge, edge.Token, IPAddress.Loopback));
        // Another address is not affected.
        Assert.Null(await AuthCodeAsync(edge, edge.Token, IPAddress.Parse("127.0.0.2")));

        await edge.Process.WaitForLineAsync("refused without a token check: ERR_BURROW_5010");
        Assert.Contains("127.0.0.1", (await edge.Process.WaitForLineAsync("refused without a token check")).Value + edge.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("brw_guess", edge.Process.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_agent_refused_for_its_address_s_failures_waits_as_long_as_the_edge_says_before_it_tries_again()
    {
        await using var edge = await EdgeRun.StartAsync(extra: ["--auth-failures-per-minute", "2"]);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal("ERR_BURROW_1002", await AuthCodeAsync(edge, $"brw_guess_{i}", IPAddress.Loopback));
        }

        // The refusal says when, in words and in retry_after_s.
        await using (var hostile = await HostileAgent.ConnectAsync(edge, IPAddress.Loopback))
        {
            await hostile.SendAsync(HostileAgent.Auth(edge.Token));
            var refused = await hostile.ReadUntilAsync<AuthResultMessage>();
            Assert.Equal("ERR_BURROW_5010", refused!.Error!.Code);
            Assert.InRange(refused.Error.RetryAfterSeconds!.Value, 40, 60);
        }

        // A real agent with the right token, from the blocked address: its next try is not in 0.5 s but when the block lifts.
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using var agent = BurrowProcess.Start(["http", upstream.Port.ToString(CultureInfo.InvariantCulture), "--web-addr", "false", .. edge.AgentArgs()],
            new Dictionary<string, string> { ["BURROW_STATE_DIR"] = state.Path });
        await agent.WaitForLineAsync("ERR_BURROW_5010");
        Match next = await agent.WaitForLineAsync(@"Reconnecting in (\d+\.\d) s");
        Assert.InRange(double.Parse(next.Groups[1].Value, CultureInfo.InvariantCulture), 40, 60);
    }

    private static async Task<string?> AuthCodeAsync(EdgeRun edge, string token, IPAddress from)
    {
        await using var agent = await HostileAgent.ConnectAsync(edge, from);
        await agent.SendAsync(HostileAgent.Auth(token));
        var result = await agent.ReadUntilAsync<AuthResultMessage>();
        Assert.NotNull(result);
        return result.Error?.Code;
    }

    private static async Task<string> RawHttpAsync(int port, string request)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None);
        }
        catch (SocketException)
        {
            // Refused while sending; what it answered is still to be read.
        }

        var answer = new StringBuilder();
        byte[] buffer = new byte[4096];
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, bound.Token)) > 0)
            {
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (SocketException)
        {
            // Reset after the answer.
        }

        return answer.ToString();
    }
}

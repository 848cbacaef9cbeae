using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Http;

/// <summary>What a visitor sees when something between the edge and the local service fails: the right status, a stable code, a useful message.</summary>
public sealed class ErrorPageTests(TunnelFixture fixture) : IClassFixture<TunnelFixture>
{
    private const string CodeHeader = "Burrow-Error-Code";

    [Fact(Timeout = 30_000)]
    public async Task Unknown_host_is_404_as_html_json_or_text()
    {
        var url = new Uri($"https://no-such-tunnel.localhost:{fixture.Edge.HttpsPort.ToString(CultureInfo.InvariantCulture)}/");

        using var html = await SendAsync(url, "text/html,application/xhtml+xml");
        Assert.Equal(HttpStatusCode.NotFound, html.StatusCode);
        Assert.Equal("ERR_BURROW_3001", html.Headers.GetValues(CodeHeader).Single());
        Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
        string page = await html.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("no-such-tunnel.localhost", page, StringComparison.Ordinal);
        Assert.Contains("ERR_BURROW_3001", page, StringComparison.Ordinal);

        using var json = await SendAsync(url, "application/json");
        Assert.Equal(HttpStatusCode.NotFound, json.StatusCode);
        using var doc = JsonDocument.Parse(await json.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("ERR_BURROW_3001", doc.RootElement.GetProperty("error_code").GetString());
        Assert.Equal(404, doc.RootElement.GetProperty("status_code").GetInt32());

        var (exit, stdout, stderr) = await Curl.RunAsync(["--cacert", fixture.Edge.CaPath, "-i", url.ToString()]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("burrow-error-code: ERR_BURROW_3001", stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("ERR_BURROW_3001: No tunnel is online for 'no-such-tunnel.localhost'.", stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Dead_upstream_is_502_with_the_address_and_the_dial_error()
    {
        int deadPort = FreePort();
        await using var agent = await fixture.StartAgentAsync([$"127.0.0.1:{deadPort.ToString(CultureInfo.InvariantCulture)}"]);

        using var response = await SendAsync(new Uri(agent.HttpsUrl, "/"), "application/json");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("ERR_BURROW_3002", response.Headers.GetValues(CodeHeader).Single());
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains($"http://127.0.0.1:{deadPort.ToString(CultureInfo.InvariantCulture)}", body, StringComparison.Ordinal);
        Assert.Contains("Connection refused", body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Upstream_that_is_not_http_is_502_not_400()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                using Socket socket = await listener.AcceptSocketAsync();
                await socket.SendAsync("SSH-2.0-not-http\r\n"u8.ToArray());
                socket.Shutdown(SocketShutdown.Both);
            }
        });
        await using var agent = await fixture.StartAgentAsync([$"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"]);

        using var response = await SendAsync(new Uri(agent.HttpsUrl, "/"), "*/*");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("ERR_BURROW_3007", response.Headers.GetValues(CodeHeader).Single());
    }

    [Fact(Timeout = 45_000)]
    public async Task Agent_killed_mid_request_is_502_agent_gone()
    {
        await using var agent = await fixture.StartAgentAsync([fixture.Upstream.Port.ToString(CultureInfo.InvariantCulture)]);
        Task<HttpResponseMessage> pending = SendAsync(new Uri(agent.HttpsUrl, "/slow?ms=8000"), "text/plain");
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        agent.Process.Kill();

        using var response = await pending;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("ERR_BURROW_3004", response.Headers.GetValues(CodeHeader).Single());

        // Within the grace period the tunnel is held for the agent: still 502 agent gone, not 404.
        using var later = await SendAsync(new Uri(agent.HttpsUrl, "/hello"), "text/plain");
        Assert.Equal(HttpStatusCode.BadGateway, later.StatusCode);
        Assert.Equal("ERR_BURROW_3004", later.Headers.GetValues(CodeHeader).Single());
    }

    [Fact(Timeout = 45_000)]
    public async Task Upstream_silent_past_the_timeout_is_504()
    {
        await using var edge = await EdgeRun.StartAsync(extra: ["--upstream-timeout", "1s"]);
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([fixture.Upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()], state.Path);
        using var client = Clients.Create(edge.CaPath);

        using var response = await client.GetAsync(new Uri(agent.HttpsUrl, "/slow?ms=4000"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("ERR_BURROW_3003", response.Headers.GetValues(CodeHeader).Single());
        Assert.Contains($"http://localhost:{fixture.Upstream.Port.ToString(CultureInfo.InvariantCulture)} did not respond within 1 s",
            await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Wrong_token_exits_with_a_clear_error_and_no_retry()
    {
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync(
            [fixture.Upstream.Port.ToString(CultureInfo.InvariantCulture), .. fixture.Edge.AgentArgs("brw_not_the_token")], state.Path, waitForUrl: false);

        int exit = await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(1, exit);
        Assert.Contains("ERR_BURROW_1002: The authtoken is not valid.", agent.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Reconnecting", agent.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("brw_not_the_token", fixture.Edge.Process.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Forwarded_headers_are_appended_and_host_is_preserved()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Agent.HttpsUrl, "/headers"));
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        using var response = await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var headers = await ReadHeadersAsync(response);

        Assert.Equal("203.0.113.9, 127.0.0.1", headers["x-forwarded-for"]);
        Assert.Equal("https", headers["x-forwarded-proto"]);
        Assert.Equal(fixture.Agent.HttpsUrl.Authority, headers["x-forwarded-host"]);
        Assert.Equal(fixture.Agent.HttpsUrl.Authority, headers["host"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Hop_by_hop_headers_are_not_forwarded()
    {
        // (Kestrel reads "Connection: keep-alive, X" as plain keep-alive, so the test names the header alone.)
        var (exit, stdout, stderr) = await Curl.RunAsync(
        [
            "--http1.1", "--cacert", fixture.Edge.CaPath,
            "-H", "Connection: X-Hop-Secret", "-H", "X-Hop-Secret: 1", "-H", "Keep-Alive: timeout=5",
            "-H", "Proxy-Connection: keep-alive", "-H", "X-End-To-End: kept",
            new Uri(fixture.Agent.HttpsUrl, "/headers").ToString(),
        ]);
        Assert.True(exit == 0, stderr);
        var headers = JsonSerializer.Deserialize<Dictionary<string, string>>(stdout)!;

        Assert.Equal("kept", headers["x-end-to-end"]);
        Assert.False(headers.ContainsKey("x-hop-secret"), stdout);
        Assert.False(headers.ContainsKey("keep-alive"), stdout);
        Assert.False(headers.ContainsKey("proxy-connection"), stdout);
    }

    internal static async Task<Dictionary<string, string>> ReadHeadersAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
    }

    private async Task<HttpResponseMessage> SendAsync(Uri url, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

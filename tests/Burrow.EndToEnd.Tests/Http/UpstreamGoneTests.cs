using System.Globalization;
using System.Net;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Http;

/// <summary>
/// ERR_BURROW_3002 looks the same with inspection on or off: in both cases the agent pumps bytes to a
/// new upstream connection per proxy stream (inspection only observes them), so the dial fails at the
/// agent and the edge answers the page.
/// </summary>
public sealed class UpstreamGoneTests
{
    [Theory(Timeout = 90_000)]
    [InlineData("text/html,application/xhtml+xml")]
    [InlineData("application/json")]
    [InlineData("*/*")]
    public async Task Upstream_gone_gives_one_page_with_inspection_on_or_off(string accept)
    {
        await using EdgeRun edge = await EdgeRun.StartAsync();
        using var state = new TempDirectory();
        Upstream upstream = await Upstream.StartAsync();
        string target = "127.0.0.1:" + upstream.Port.ToString(CultureInfo.InvariantCulture);
        await using AgentRun inspected = await AgentRun.StartAsync([target, "--inspect", "true", "--log", "stdout", "--log-level", "warn", .. edge.AgentArgs()], Path.Combine(state.Path, "on"));
        await using AgentRun raw = await AgentRun.StartAsync([target, "--inspect", "false", "--log", "stdout", "--log-level", "warn", .. edge.AgentArgs()], Path.Combine(state.Path, "off"));
        using HttpClient client = Clients.Create(edge.CaPath);

        // A request that works first, so that the edge and the inspector hold connections that then lose their upstream.
        foreach (AgentRun agent in new[] { inspected, raw })
        {
            using HttpResponseMessage ok = await client.GetAsync(new Uri(agent.HttpsUrl, "/hello"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await upstream.DisposeAsync();

        var (onStatus, onCode, onType, onBody) = await SendAsync(client, inspected, accept);
        var (offStatus, offCode, offType, offBody) = await SendAsync(client, raw, accept);

        Assert.Equal(HttpStatusCode.BadGateway, onStatus);
        Assert.Equal("ERR_BURROW_3002", onCode);
        Assert.Contains($"http://{target}", onBody, StringComparison.Ordinal);
        Assert.Equal((onStatus, onCode, onType, onBody), (offStatus, offCode, offType, offBody));

        // Each agent logs the failed dial at warn: the inspected one takes the same path as the other.
        await inspected.Process.WaitForLineAsync(@"lvl=warn .*msg=""ERR_BURROW_3002: The agent could not connect");
        await raw.Process.WaitForLineAsync(@"lvl=warn .*msg=""ERR_BURROW_3002: The agent could not connect");
    }

    [Fact(Timeout = 90_000)]
    public async Task Upstream_never_there_gives_one_page_with_inspection_on_or_off()
    {
        await using EdgeRun edge = await EdgeRun.StartAsync();
        using var state = new TempDirectory();
        string target = "127.0.0.1:" + FreePort.Loopback().ToString(CultureInfo.InvariantCulture);
        await using AgentRun inspected = await AgentRun.StartAsync([target, "--inspect", "true", .. edge.AgentArgs()], Path.Combine(state.Path, "on"));
        await using AgentRun raw = await AgentRun.StartAsync([target, "--inspect", "false", .. edge.AgentArgs()], Path.Combine(state.Path, "off"));
        using HttpClient client = Clients.Create(edge.CaPath);

        var on = await SendAsync(client, inspected, "text/html");
        var off = await SendAsync(client, raw, "text/html");

        Assert.Equal(HttpStatusCode.BadGateway, on.Status);
        Assert.Equal("ERR_BURROW_3002", on.Code);
        Assert.Equal(on, off);
    }

    private static async Task<(HttpStatusCode Status, string? Code, string? ContentType, string Body)> SendAsync(HttpClient client, AgentRun agent, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(agent.HttpsUrl, "/hello"));
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using HttpResponseMessage response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, response.Headers.TryGetValues("Burrow-Error-Code", out var codes) ? codes.Single() : null,
            response.Content.Headers.ContentType?.ToString(), body);
    }
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Http;

/// <summary>Losing the agent or the edge: the agent comes back by itself, with the same URL.</summary>
public sealed class ReconnectTests
{
    [Fact(Timeout = 60_000)]
    public async Task Agent_killed_and_restarted_gets_the_same_url_back()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync();
        using var state = new TempDirectory();
        using var client = Clients.Create(edge.CaPath);
        string[] args = [upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()];

        Uri url;
        await using (var first = await AgentRun.StartAsync(args, state.Path))
        {
            url = first.HttpsUrl;
            Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello"), TestContext.Current.CancellationToken));
            first.Process.Kill();
        }

        await using var second = await AgentRun.StartAsync(args, state.Path);

        Assert.Equal(url, second.HttpsUrl);
        Assert.Contains("Resumed the previous session", second.Process.Output, StringComparison.Ordinal);
        Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello"), TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 90_000)]
    public async Task Edge_killed_and_restarted_the_agent_recovers_by_itself_with_the_same_url()
    {
        await using var upstream = await Upstream.StartAsync();
        using var data = new TempDirectory();
        using var state = new TempDirectory();
        string agentAddr = $"127.0.0.1:{FreePort()}", httpsAddr = $"127.0.0.1:{FreePort()}", httpAddr = $"127.0.0.1:{FreePort()}";
        var edge = await EdgeRun.StartAsync(data.Path, agentAddr: agentAddr, httpsAddr: httpsAddr, httpAddr: httpAddr);
        await using var agent = await AgentRun.StartAsync([upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()], state.Path);
        Uri url = agent.HttpsUrl;
        using var client = Clients.Create(edge.CaPath);
        Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello"), TestContext.Current.CancellationToken));

        edge.Process.Kill();
        await edge.DisposeAsync();
        await agent.Process.WaitForLineAsync("Lost the connection to the edge");
        await agent.Process.WaitForLineAsync("Reconnecting in");

        await using var restarted = await EdgeRun.StartAsync(data.Path, agentAddr: agentAddr, httpsAddr: httpsAddr, httpAddr: httpAddr);
        await agent.Process.WaitForLineAsync("Reconnected to the edge", TimeSpan.FromSeconds(40));

        using var response = await client.GetAsync(new Uri(url, "/hello"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("the URLs are unchanged", agent.Process.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Graceful_shutdown_lets_requests_in_flight_finish_and_tells_agents()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync(extra: ["--drain-timeout", "10s"]);
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()], state.Path);
        using var client = Clients.Create(edge.CaPath);

        Task<HttpResponseMessage> inFlight = client.GetAsync(new Uri(agent.HttpsUrl, "/slow?ms=2000"), TestContext.Current.CancellationToken);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        edge.Process.Terminate();

        using var response = await inFlight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("slow answer", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        await agent.Process.WaitForLineAsync("The edge is shutting down");
        Assert.Equal(0, await edge.Process.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("Stopped.", edge.Process.Output, StringComparison.Ordinal);
    }

    private static string FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
    }
}

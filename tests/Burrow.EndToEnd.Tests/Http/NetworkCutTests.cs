using System.Globalization;
using System.Net;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Http;

/// <summary>A silent network cut (no FIN, no RST): only the keepalive can notice it, and the agent comes back with the same URL.</summary>
public sealed class NetworkCutTests
{
    [Fact(Timeout = 60_000)]
    public async Task Agent_detects_a_silent_link_by_keepalive_and_comes_back_with_the_same_url()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync(extra: ["--heartbeat-interval", "500ms", "--heartbeat-timeout", "1500ms"]);
        await using var relay = FreezableTcpRelay.Start(edge.AgentAddress);
        using var state = new TempDirectory();
        using var client = Clients.Create(edge.CaPath);
        string[] args =
        [
            upstream.Port.ToString(CultureInfo.InvariantCulture),
            "--server", relay.Address, "--server-name", "localhost", "--authtoken", edge.Token, "--edge-ca", edge.CaPath,
        ];

        await using var agent = await AgentRun.StartAsync(args, state.Path);
        Uri url = agent.HttpsUrl;
        Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello"), TestContext.Current.CancellationToken));
        Assert.Equal(1, relay.AcceptedConnections);

        relay.Freeze();

        TimeSpan bound = TimeSpan.FromSeconds(15);
        await agent.Process.WaitForLineAsync("The edge did not answer a keepalive ping", bound);
        await agent.Process.WaitForLineAsync("Lost the connection to the edge", bound);
        await agent.Process.WaitForLineAsync("Reconnecting in", bound);
        await relay.WaitForConnectionsAsync(2, bound);
        await agent.Process.WaitForLineAsync("^Reconnected to the edge.*the URLs are unchanged", bound);

        Assert.False(agent.Process.HasExited);
        Assert.DoesNotContain("new URLs", agent.Process.Output, StringComparison.Ordinal);
        using var response = await client.GetAsync(new Uri(url, "/hello"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello from upstream", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.True(relay.AcceptedConnections >= 2);
    }
}

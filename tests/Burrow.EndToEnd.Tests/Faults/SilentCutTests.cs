using System.Diagnostics;
using System.Globalization;
using System.Net;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Faults;

/// <summary>
/// The agent's link cut silently (a relay that stops forwarding, no FIN or RST), seen from the
/// edge's side: a public request sent into the dead link gets 502 ERR_BURROW_3004 once the edge's
/// keepalive gives up, never a hang; the edge lets go of the dead connection; the agent comes back.
/// (NetworkCutTests covers the agent's side of the same cut.)
/// </summary>
public sealed class SilentCutTests
{
    [Fact(Timeout = 90_000)]
    public async Task Request_into_a_silently_cut_link_gets_502_within_the_keepalive_bound_then_the_url_answers_again()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync(extra: ["--heartbeat-interval", "500ms", "--heartbeat-timeout", "1500ms", .. EdgeRun.WithHealth]);
        await using var relay = FreezableTcpRelay.Start(edge.AgentAddress);
        using var state = new TempDirectory();
        using var client = Clients.Create(edge.CaPath);
        await using var agent = await AgentRun.StartAsync(
        [
            upstream.Port.ToString(CultureInfo.InvariantCulture),
            "--server", relay.Address, "--server-name", "localhost", "--authtoken", edge.Token, "--edge-ca", edge.CaPath,
        ], state.Path);
        Uri url = agent.HttpsUrl;
        Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello"), ct));

        relay.Freeze();
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "/hello"));
        request.Headers.ConnectionClose = true;
        using HttpResponseMessage cut = await client.SendAsync(request, ct);

        // The edge pings every 2 s (interval + timeout) and gives up 1.5 s later; the rest is load slack.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the request into the cut link took {clock.Elapsed}");
        Assert.True(cut.StatusCode == HttpStatusCode.BadGateway, $"{cut.StatusCode}: {await cut.Content.ReadAsStringAsync(ct)}");
        Assert.Equal("ERR_BURROW_3004", cut.Headers.GetValues("Burrow-Error-Code").Single());

        await relay.WaitForConnectionsAsync(2, TimeSpan.FromSeconds(30));
        await agent.Process.WaitForLineAsync("^Reconnected to the edge.*the URLs are unchanged", TimeSpan.FromSeconds(30));
        Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello"), ct));
        EdgeHealth health = await ProcessStats.SettleAsync(edge.HealthAsync, h => h.AgentConnections == 1, TimeSpan.FromSeconds(15));
        Assert.Equal(1, health.AgentConnections);
        Assert.Equal(1, health.Sessions);
        Assert.Equal(1, health.SessionsOnline);
    }
}

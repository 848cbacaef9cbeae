using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Faults;

/// <summary>
/// SIGKILL in the middle of a download, of the agent and of the edge, several times over: the
/// public client gets an error at once (never a hang), the agent comes back by itself with the same
/// URL, and the edge and agent hold no more sockets or streams afterwards than before.
/// </summary>
public sealed class KillMidTransferTests
{
    private const long Huge = 1L << 30;
    private static readonly TimeSpan CleanErrorBound = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 180_000)]
    public async Task Agent_killed_mid_download_client_gets_an_error_url_comes_back_nothing_leaks()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync(extra: EdgeRun.WithHealth);
        using var state = new TempDirectory();
        string[] args = [upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()];
        AgentRun agent = await AgentRun.StartAsync(args, state.Path);
        try
        {
            Uri url = agent.HttpsUrl;
            var (socketsBefore, healthBefore) = await SteadyEdgeAsync(edge, url);

            for (int round = 0; round < 3; round++)
            {
                using (var client = Clients.Create(edge.CaPath))
                {
                    using HttpResponseMessage response = await client.GetAsync(new Uri(url, $"/bytes/{Huge}"), HttpCompletionOption.ResponseHeadersRead, ct);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    await using Stream body = await response.Content.ReadAsStreamAsync(ct);
                    await ReadAtLeastAsync(body, 1 << 20, ct);

                    agent.Process.Kill();
                    var clock = Stopwatch.StartNew();
                    Exception? error = await Record.ExceptionAsync(() => DrainAsync(body, ct));

                    Assert.True(error is IOException or HttpRequestException, $"round {round}: the download ended without an error after the agent died: {error}");
                    Assert.True(clock.Elapsed < CleanErrorBound, $"round {round}: the client waited {clock.Elapsed} for the error");

                    // While the agent is away the URL answers at once with a code, not a hang or a 404.
                    using var away = await client.GetAsync(new Uri(url, "/hello"), ct);
                    Assert.Equal(HttpStatusCode.BadGateway, away.StatusCode);
                    Assert.Equal("ERR_BURROW_3004", away.Headers.GetValues("Burrow-Error-Code").Single());
                }

                await agent.DisposeAsync();
                agent = await AgentRun.StartAsync(args, state.Path);
                Assert.Equal(url, agent.HttpsUrl);
            }

            var (socketsAfter, healthAfter) = await SteadyEdgeAsync(edge, url);
            Assert.True(socketsAfter <= socketsBefore, $"the edge held {socketsBefore} sockets before and {socketsAfter} after three agent kills");
            Assert.Equal(1, healthAfter.Sessions);
            Assert.Equal(1, healthAfter.SessionsOnline);
            Assert.Equal(1, healthAfter.AgentConnections);
            Assert.True(healthAfter.MuxStreams <= healthBefore.MuxStreams, $"mux streams {healthBefore.MuxStreams} before, {healthAfter.MuxStreams} after");
            Assert.False(edge.Process.HasExited);
        }
        finally
        {
            await agent.DisposeAsync();
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task Edge_killed_mid_download_client_gets_an_error_agent_reconnects_nothing_leaks()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using var upstream = await Upstream.StartAsync();
        using var data = new TempDirectory();
        using var state = new TempDirectory();
        string agentAddr = FreeAddress(), httpsAddr = FreeAddress(), httpAddr = FreeAddress();
        EdgeRun edge = await EdgeRun.StartAsync(data.Path, agentAddr: agentAddr, httpsAddr: httpsAddr, httpAddr: httpAddr, extra: EdgeRun.WithHealth);
        try
        {
            await using var agent = await AgentRun.StartAsync(
                [upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()], state.Path);
            Uri url = agent.HttpsUrl;
            int agentSocketsBefore = await SteadyAgentAsync(edge, agent, url);

            for (int round = 0; round < 2; round++)
            {
                using (var client = Clients.Create(edge.CaPath))
                {
                    using HttpResponseMessage response = await client.GetAsync(new Uri(url, $"/bytes/{Huge}"), HttpCompletionOption.ResponseHeadersRead, ct);
                    await using Stream body = await response.Content.ReadAsStreamAsync(ct);
                    await ReadAtLeastAsync(body, 1 << 20, ct);

                    edge.Process.Kill();
                    var clock = Stopwatch.StartNew();
                    Exception? error = await Record.ExceptionAsync(() => DrainAsync(body, ct));

                    Assert.True(error is IOException or HttpRequestException, $"round {round}: the download ended without an error after the edge died: {error}");
                    Assert.True(clock.Elapsed < CleanErrorBound, $"round {round}: the client waited {clock.Elapsed} for the error");
                }

                await edge.DisposeAsync();
                await agent.Process.WaitForLineAsync("Lost the connection to the edge", skip: round);
                edge = await EdgeRun.StartAsync(data.Path, agentAddr: agentAddr, httpsAddr: httpsAddr, httpAddr: httpAddr, extra: EdgeRun.WithHealth);
                await agent.Process.WaitForLineAsync("^Reconnected to the edge.*the URLs are unchanged", TimeSpan.FromSeconds(60), skip: round);
            }

            int agentSocketsAfter = await SteadyAgentAsync(edge, agent, url);
            Assert.True(agentSocketsAfter <= agentSocketsBefore, $"the agent held {agentSocketsBefore} sockets before and {agentSocketsAfter} after two edge kills");
            Assert.False(agent.Process.HasExited);
        }
        finally
        {
            await edge.DisposeAsync();
        }
    }

    /// <summary>
    /// One request through a fresh client that then goes away; the edge's open sockets and health once
    /// nothing is in flight. Sockets, not all fds: a first exception loads assemblies, whose fds stay.
    /// </summary>
    private static async Task<(int Fds, EdgeHealth Health)> SteadyEdgeAsync(EdgeRun edge, Uri url)
    {
        using (var client = Clients.Create(edge.CaPath))
        {
            // Twice: the agent's inspector pools connections to an upstream only once a response has shown that it keeps
            // them (UpstreamConnectionReuse), so the steady state compared is the one after the second request.
            Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello")));
            Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello")));
        }

        EdgeHealth health = await ProcessStats.SettleAsync(edge.HealthAsync,
            h => h.PublicConnections == 0 && h.RequestsInFlight == 0 && h.AgentConnections == 1, TimeSpan.FromSeconds(15));
        await Task.Delay(500);
        return (ProcessStats.OpenSockets(edge.Process.Id), health);
    }

    /// <summary>One request through a fresh client; the agent's open sockets once the edge holds no public connection.</summary>
    private static async Task<int> SteadyAgentAsync(EdgeRun edge, AgentRun agent, Uri url)
    {
        await SteadyEdgeAsync(edge, url);
        return ProcessStats.OpenSockets(agent.Process.Id);
    }

    private static async Task ReadAtLeastAsync(Stream body, int count, CancellationToken ct)
    {
        byte[] buffer = new byte[64 * 1024];
        int total = 0;
        while (total < count)
        {
            int read = await body.ReadAsync(buffer, ct);
            Assert.True(read > 0, "the download ended early");
            total += read;
        }
    }

    private static async Task DrainAsync(Stream body, CancellationToken ct)
    {
        byte[] buffer = new byte[256 * 1024];
        long total = 0;
        while (true)
        {
            int read = await body.ReadAsync(buffer, ct);
            if (read == 0)
            {
                throw new InvalidOperationException($"the body ended cleanly after {total} more bytes, short of {Huge}");
            }

            total += read;
        }
    }

    private static string FreeAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return "127.0.0.1:" + ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
    }
}

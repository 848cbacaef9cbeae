using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Pooling;

/// <summary>
/// Endpoint pooling on one edge, through the real executables: agents started with --pooling-enabled on one URL share
/// its requests (http) or connections (tcp); one that lacks the flag is refused; a member whose agent dies or whose
/// upstream stops is taken out without a failed request after its detection, and a recovered upstream comes back.
/// </summary>
public sealed class PoolingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task Three_pooled_agents_share_requests_within_20_percent_and_an_agent_without_the_flag_is_refused()
    {
        await using EdgeRun edge = await EdgeRun.StartAsync();
        using var state = new TempDirectory();
        string name = "pool-" + Guid.NewGuid().ToString("n")[..8];
        await using PooledAgents pool = await PooledAgents.StartAsync(edge, state.Path, name, 3);
        Assert.All(pool.Agents, a => Assert.Equal(pool.Url, a.HttpsUrl));
        using HttpClient client = Clients.Create(edge.CaPath);

        Dictionary<string, int> served = await LoadAsync(client, pool.Url, 600);

        Assert.Equal(600, served.Where(s => s.Key.StartsWith("member-", StringComparison.Ordinal)).Sum(s => s.Value));
        Assert.All(pool.Upstreams, u => Assert.InRange(served.GetValueOrDefault(u.Id), 160, 240));

        // An agent without the flag may not join, and says what to do.
        IdUpstream other = new IdUpstream("intruder").Start();
        await using (other)
        await using (AgentRun refused = await AgentRun.StartAsync(
            [other.Address, "--url", name, "--web-addr", "127.0.0.1:0", .. edge.AgentArgs()], Path.Combine(state.Path, "refused"), waitForUrl: false))
        {
            Assert.Equal(1, await refused.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains($"ERR_BURROW_2022: '{name}.localhost' is already served by another agent", refused.Process.Output, StringComparison.Ordinal);
            Assert.Contains("--pooling-enabled", refused.Process.Output, StringComparison.Ordinal);
        }

        // The agent API says the tunnel is pooled; the edge's admin list shows every member.
        using var local = new HttpClient();
        using JsonDocument tunnels = JsonDocument.Parse(await local.GetStringAsync(new Uri(await pool.Agents[1].WebUrlAsync(), "/api/tunnels"), Ct));
        Assert.True(tunnels.RootElement.GetProperty("tunnels")[0].GetProperty("config").GetProperty("pooling_enabled").GetBoolean());
        using var admin = new HttpClient { BaseAddress = new Uri(edge.AdminUrl!) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", edge.ApiKey);
        using JsonDocument members = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/api/v1/tunnels", UriKind.Relative), Ct));
        Assert.Equal(3, members.RootElement.EnumerateArray().Count(t => t.GetProperty("hostname").GetString() == $"{name}.localhost" && t.GetProperty("pooled").GetBoolean()));
    }

    [Fact(Timeout = 300_000)]
    public async Task A_killed_member_is_left_out_and_no_request_fails_after_its_detection_and_the_last_one_frees_the_name()
    {
        // A short grace: a killed agent's session is held for a resume that never comes, then its tunnels go.
        await using EdgeRun edge = await EdgeRun.StartAsync(extra: ["--resume-grace", "1s"]);
        using var state = new TempDirectory();
        string name = "pool-" + Guid.NewGuid().ToString("n")[..8];
        await using PooledAgents pool = await PooledAgents.StartAsync(edge, state.Path, name, 3);
        using HttpClient client = Clients.Create(edge.CaPath);
        Assert.Equal(3, (await LoadAsync(client, pool.Url, 60)).Count);

        pool.Agents[0].Process.Kill();
        // Detection: the edge sees the agent's connection end. Bounded: 20 answers in a row from the others, within 30 s.
        await UntilAsync(async () => (await LoadAsync(client, pool.Url, 20, sequential: true)).Keys.All(k => k is "member-1" or "member-2"), TimeSpan.FromSeconds(30));

        Dictionary<string, int> after = await LoadAsync(client, pool.Url, 300);
        Assert.Equal(new[] { "member-1", "member-2" }, after.Keys.Order());
        Assert.All(after.Values, n => Assert.InRange(n, 100, 200));

        // The others leave too: the name is free again, for an agent without pooling as well.
        pool.Agents[1].Process.Kill();
        pool.Agents[2].Process.Kill();
        await UntilAsync(async () =>
        {
            using HttpResponseMessage gone = await client.GetAsync(pool.Url, Ct);
            return gone.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(30));
        await using AgentRun alone = await AgentRun.StartAsync(
            [pool.Upstreams[0].Address, "--url", name, "--web-addr", "127.0.0.1:0", .. edge.AgentArgs()], Path.Combine(state.Path, "alone"));
        Assert.Equal(new Dictionary<string, int> { ["member-0"] = 10 }, await LoadAsync(client, pool.Url, 10));
    }

    [Fact(Timeout = 300_000)]
    public async Task A_member_whose_upstream_stops_is_taken_out_without_a_failed_request_and_comes_back_after_the_recheck()
    {
        await using EdgeRun edge = await EdgeRun.StartAsync(extra: ["--pool-recheck-interval", "2s"]);
        using var state = new TempDirectory();
        string name = "pool-" + Guid.NewGuid().ToString("n")[..8];
        await using PooledAgents pool = await PooledAgents.StartAsync(edge, state.Path, name, 3);
        using HttpClient client = Clients.Create(edge.CaPath);
        Assert.Equal(3, (await LoadAsync(client, pool.Url, 60)).Count);

        // Stopped between requests: a GET that meets the dead upstream goes to another member before anyone sees a 502.
        pool.Upstreams[1].Stop();
        Dictionary<string, int> without = await LoadAsync(client, pool.Url, 300);
        Assert.Equal(new[] { "member-0", "member-2" }, without.Keys.Order());

        // Back after a recheck interval: bounded by 30 s.
        pool.Upstreams[1].Start();
        await UntilAsync(async () => (await LoadAsync(client, pool.Url, 30, sequential: true)).ContainsKey("member-1"), TimeSpan.FromSeconds(30));
        Dictionary<string, int> again = await LoadAsync(client, pool.Url, 300);
        Assert.Equal(new[] { "member-0", "member-1", "member-2" }, again.Keys.Order());
    }

    [Fact(Timeout = 300_000)]
    public async Task Pooled_tcp_agents_on_one_port_share_its_connections()
    {
        int port = FreePort.Loopback();
        string ports = string.Create(CultureInfo.InvariantCulture, $"{port}-{port}");
        await using EdgeRun edge = await EdgeRun.StartAsync(extra: ["--tcp-ports", ports]);
        using var state = new TempDirectory();
        var upstreams = new List<IdUpstream>();
        var agents = new List<TcpAgentRun>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                IdUpstream upstream = new IdUpstream($"tcp-{i}", http: false).Start();
                upstreams.Add(upstream);
                agents.Add(await TcpAgentRun.StartAsync(
                    [upstream.Address, "--url", $"tcp://localhost:{port.ToString(CultureInfo.InvariantCulture)}", "--pooling-enabled", "--web-addr", "127.0.0.1:0", .. edge.AgentArgs()],
                    Path.Combine(state.Path, $"tcp-{i}")));
                Assert.Equal(port, agents[i].Port);
            }

            var served = new Dictionary<string, int>();
            for (int i = 0; i < 90; i++)
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync(IPAddress.Loopback, port, Ct);
                using var reader = new StreamReader(socket.GetStream(), Encoding.ASCII);
                string id = await reader.ReadToEndAsync(Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
                served[id] = served.GetValueOrDefault(id) + 1;
            }

            Assert.Equal(new[] { "tcp-0", "tcp-1", "tcp-2" }, served.Keys.Order());
            Assert.All(served.Values, n => Assert.InRange(n, 24, 36));

            // A tcp agent without the flag is refused on the pooled port.
            await using TcpAgentRun refused = await TcpAgentRun.StartAsync(
                [upstreams[0].Address, "--url", $"tcp://localhost:{port.ToString(CultureInfo.InvariantCulture)}", "--web-addr", "127.0.0.1:0", .. edge.AgentArgs()],
                Path.Combine(state.Path, "refused"), waitForUrl: false);
            Assert.Equal(1, await refused.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("ERR_BURROW_2022", refused.Process.Output, StringComparison.Ordinal);
        }
        finally
        {
            foreach (TcpAgentRun agent in agents)
            {
                await agent.DisposeAsync();
            }

            foreach (IdUpstream upstream in upstreams)
            {
                await upstream.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="count"/> GETs (8 at a time, or one by one) and counts the answers by member id; any other
    /// status fails the test with what was answered.
    /// </summary>
    private static async Task<Dictionary<string, int>> LoadAsync(HttpClient client, Uri url, int count, bool sequential = false)
    {
        var served = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = sequential ? 1 : 8, CancellationToken = Ct },
            async (i, ct) =>
            {
                using HttpResponseMessage response = await client.GetAsync(new Uri(url, "/n/" + i.ToString(CultureInfo.InvariantCulture)), ct);
                string body = await response.Content.ReadAsStringAsync(ct);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"request {i}: {(int)response.StatusCode} {body}");
                served.AddOrUpdate(body, 1, static (_, n) => n + 1);
            });
        return new Dictionary<string, int>(served, StringComparer.Ordinal);
    }

    /// <summary>Retries <paramref name="condition"/> (a failed assertion counts as false) until it holds, for at most <paramref name="limit"/>.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        DateTime deadline = DateTime.UtcNow + limit;
        while (true)
        {
            Exception? last = null;
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is Xunit.Sdk.XunitException or HttpRequestException)
            {
                last = ex;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not true within {limit}.", last);
            }

            await Task.Delay(200, Ct);
        }
    }
}

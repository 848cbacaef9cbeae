using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Faults;

/// <summary>
/// Requests that race an agent's resume. The edge routes to the new connection as soon as the
/// session is resumed; the agent used to learn its tunnels back only after it had started accepting
/// streams, reset the ones that came first, and visitors got 502 ERR_BURROW_3007 ("the local service
/// closed the connection") for a service that was fine. Found by the soak.
/// </summary>
public sealed class ResumeRaceTests
{
    [Fact(Timeout = 120_000)]
    public async Task Requests_during_an_agent_restart_get_an_answer_or_agent_gone_never_a_blamed_upstream()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync();
        using var state = new TempDirectory();
        string[] args = [upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()];
        AgentRun agent = await AgentRun.StartAsync(args, state.Path);
        var outcomes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource();
        try
        {
            Uri url = agent.HttpsUrl;
            Task[] hammers = [.. Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
            {
                using var client = Clients.Create(edge.CaPath, timeout: TimeSpan.FromSeconds(30));
                while (!stop.IsCancellationRequested)
                {
                    string outcome;
                    try
                    {
                        using var response = await client.GetAsync(new Uri(url, "/hello"), CancellationToken.None);
                        outcome = response.StatusCode == HttpStatusCode.OK
                            ? "200"
                            : $"{(int)response.StatusCode} {string.Join(",", response.Headers.TryGetValues("Burrow-Error-Code", out var code) ? code : [])}";
                    }
                    catch (HttpRequestException)
                    {
                        outcome = "connection error";
                    }

                    outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
                }
            }, ct))];

            for (int round = 0; round < 3; round++)
            {
                await Task.Delay(1500, ct);
                agent.Process.Kill();
                await agent.DisposeAsync();
                agent = await AgentRun.StartAsync(args, state.Path);
                Assert.Equal(url, agent.HttpsUrl);
            }

            await Task.Delay(1500, ct);
            await stop.CancelAsync();
            await Task.WhenAll(hammers);
        }
        finally
        {
            await agent.DisposeAsync();
        }

        string seen = string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}"));
        Assert.True(outcomes.Keys.All(k => k is "200" or "502 ERR_BURROW_3004" or "connection error"), seen);
        Assert.True(outcomes.GetValueOrDefault("200") > 0, seen);
    }
}

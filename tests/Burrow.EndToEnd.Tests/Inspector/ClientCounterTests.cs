using System.Globalization;
using System.Net;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Inspector;

/// <summary>
/// The agent API's <c>metrics.conns</c> and <c>metrics.http</c> of an http tunnel count what a person
/// means, client connections and requests, not the pooled proxy streams that carry them (issue 11,
/// item 7: six clients used to read <c>ttl 1, opn 1</c>); with inspection on and off alike.
/// </summary>
public sealed class ClientCounterTests(InspectorFixture fixture) : IClassFixture<InspectorFixture>
{
    private const int ClientCount = 6;
    private const int RequestsPerClient = 5;
    private static readonly TimeSpan PollLimit = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 120_000)]
    [InlineData(true, "1.1")]
    [InlineData(false, "1.1")]
    [InlineData(false, "2.0")]
    public async Task Six_keepalive_clients_count_as_six_connections_and_every_request(bool inspect, string httpVersion)
    {
        await using AgentRun agent = await fixture.StartAgentAsync(
            [fixture.Upstream.Port.ToString(CultureInfo.InvariantCulture), inspect ? "--inspect=true" : "--inspect=false"]);
        using var web = new HttpClient { BaseAddress = await agent.WebUrlAsync(), Timeout = TimeSpan.FromSeconds(30) };

        // Each client is its own handler, so its own connection, reused for every request it sends.
        var clients = Enumerable.Range(0, ClientCount)
            .Select(_ => Clients.Create(fixture.Edge.CaPath, Version.Parse(httpVersion)))
            .ToList();
        try
        {
            await Task.WhenAll(clients.Select(async client =>
            {
                for (int i = 0; i < RequestsPerClient; i++)
                {
                    using HttpResponseMessage response = await client.GetAsync(new Uri(agent.HttpsUrl, "/hello"), Ct);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Assert.Equal(Version.Parse(httpVersion), response.Version);
                    await response.Content.ReadAsStringAsync(Ct);
                }
            }));

            Metrics open = await PollAsync(web, m => m.ConnsCount == ClientCount && m.HttpCount == ClientCount * RequestsPerClient);
            Assert.Equal(ClientCount, open.ConnsGauge);
        }
        finally
        {
            foreach (HttpClient client in clients)
            {
                client.Dispose();
            }
        }

        Metrics closed = await PollAsync(web, m => m.ConnsGauge == 0);
        Assert.Equal(ClientCount, closed.ConnsCount);
        Assert.Equal(ClientCount * RequestsPerClient, closed.HttpCount);
        // Connection lifetimes and request durations reached the percentiles too.
        Assert.True(closed.ConnsP50 > 0, "conns.p50 is 0");
        Assert.True(closed.HttpP50 > 0, "http.p50 is 0");
    }

    /// <summary>Reads <c>/api/tunnels</c> until <paramref name="done"/> holds, or fails with the last reading after <see cref="PollLimit"/>.</summary>
    private static async Task<Metrics> PollAsync(HttpClient web, Func<Metrics, bool> done)
    {
        var deadline = DateTimeOffset.UtcNow + PollLimit;
        while (true)
        {
            using JsonDocument doc = JsonDocument.Parse(await web.GetStringAsync("/api/tunnels", Ct));
            JsonElement metrics = doc.RootElement.GetProperty("tunnels")[0].GetProperty("metrics");
            JsonElement conns = metrics.GetProperty("conns");
            JsonElement http = metrics.GetProperty("http");
            var reading = new Metrics(
                conns.GetProperty("count").GetInt64(), conns.GetProperty("gauge").GetInt64(), conns.GetProperty("p50").GetDouble(),
                http.GetProperty("count").GetInt64(), http.GetProperty("p50").GetDouble());
            if (done(reading))
            {
                return reading;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"metrics did not settle within {PollLimit.TotalSeconds} s: {reading}");
            await Task.Delay(100, Ct);
        }
    }

    private readonly record struct Metrics(long ConnsCount, long ConnsGauge, double ConnsP50, long HttpCount, double HttpP50);
}

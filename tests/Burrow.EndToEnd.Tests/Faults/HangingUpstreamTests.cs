using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Faults;

/// <summary>
/// An upstream that accepts connections and never answers, hammered with requests: each gets 504
/// ERR_BURROW_3003 at the configured timeout, and another tunnel on the same edge answers as usual
/// all the while.
/// </summary>
public sealed class HangingUpstreamTests
{
    [Fact(Timeout = 90_000)]
    public async Task Hanging_upstream_times_out_as_configured_and_other_tunnels_are_unaffected()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var hanging = new TcpListener(IPAddress.Loopback, 0);
        hanging.Start(512);
        var held = new List<Socket>();
        using var stopAccepting = new CancellationTokenSource();
        Task accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    Socket socket = await hanging.AcceptSocketAsync(stopAccepting.Token);
                    lock (held)
                    {
                        held.Add(socket); // read nothing, answer nothing, close nothing
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, ct);

        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync(extra: ["--upstream-timeout", "3s", .. EdgeRun.WithHealth]);
        using var stateA = new TempDirectory();
        using var stateB = new TempDirectory();
        int hangingPort = ((IPEndPoint)hanging.LocalEndpoint).Port;
        await using var stuck = await AgentRun.StartAsync([hangingPort.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()], stateA.Path);
        await using var healthy = await AgentRun.StartAsync([upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()], stateB.Path);
        using var client = Clients.Create(edge.CaPath);

        var clock = Stopwatch.StartNew();
        Task<HttpResponseMessage>[] hung = [.. Enumerable.Range(0, 40).Select(i => client.GetAsync(new Uri(stuck.HttpsUrl, $"/stuck/{i}"), ct))];

        // Meanwhile the other tunnel answers every request, and quickly.
        var slowest = TimeSpan.Zero;
        for (int i = 0; i < 20; i++)
        {
            var one = Stopwatch.StartNew();
            Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(healthy.HttpsUrl, "/hello"), ct));
            slowest = one.Elapsed > slowest ? one.Elapsed : slowest;
        }

        Assert.True(slowest < TimeSpan.FromSeconds(3), $"a request to the healthy tunnel took {slowest} while the other one hung");
        HttpResponseMessage[] answers = await Task.WhenAll(hung);
        TimeSpan all = clock.Elapsed;
        foreach (HttpResponseMessage answer in answers)
        {
            using (answer)
            {
                Assert.Equal(HttpStatusCode.GatewayTimeout, answer.StatusCode);
                Assert.Equal("ERR_BURROW_3003", answer.Headers.GetValues("Burrow-Error-Code").Single());
            }
        }

        Assert.True(all >= TimeSpan.FromSeconds(3), $"504s came after {all}, before the 3 s timeout");
        Assert.True(all < TimeSpan.FromSeconds(30), $"504s took {all} for a 3 s timeout");
        Assert.Equal(40, held.Count);
        EdgeHealth health = await ProcessStats.SettleAsync(edge.HealthAsync, h => h.RequestsInFlight == 0, TimeSpan.FromSeconds(10));
        Assert.Equal(0, health.RequestsInFlight);

        await stopAccepting.CancelAsync();
        await accepting;
        lock (held)
        {
            held.ForEach(s => s.Dispose());
        }
    }
}

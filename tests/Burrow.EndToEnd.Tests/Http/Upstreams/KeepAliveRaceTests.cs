using System.Globalization;
using System.Net;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Http.Upstreams;

/// <summary>
/// The pooled-connection race (issue 17): Node closes an idle keep-alive connection 300 ms after its last response,
/// and each request here is sent 285-315 ms after the previous answer, so some meet a connection the upstream is
/// closing. The agent keeps that close from the edge and sends the next request on a new upstream connection
/// (KeepAliveUpstream), so no request may fail, GET or POST; and none is processed twice, which Node's count of each
/// X-Request-Id shows.
/// </summary>
public sealed class KeepAliveRaceTests(ITestOutputHelper output)
{
    [Theory(Timeout = 180_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Requests_at_the_upstreams_idle_close_all_succeed_and_none_is_sent_twice(bool inspect)
    {
        await using NodeUpstream node = await NodeUpstream.StartAsync(TimeSpan.FromMilliseconds(300));
        await using var edge = await EdgeRun.StartAsync();
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync(
            [node.Port.ToString(CultureInfo.InvariantCulture), $"--inspect={(inspect ? "true" : "false")}", "--web-addr", "127.0.0.1:0", .. edge.AgentArgs()], state.Path);
        using HttpClient client = Clients.Create(edge.CaPath, HttpVersion.Version11);

        var getFailures = new List<string>();
        var posts = new List<(string Id, bool Answered)>();
        for (int round = 0; round < 2; round++)
        {
            for (int offset = -15; offset <= 15; offset++)
            {
                // The timing is what is tested: land on the upstream's idle close.
                await Task.Delay(TimeSpan.FromMilliseconds(300 + offset));
                using (var get = new HttpRequestMessage(HttpMethod.Get, agent.HttpsUrl))
                {
                    get.Headers.Add("X-Request-Id", $"get-{round}-{offset}");
                    get.Version = HttpVersion.Version11;
                    using HttpResponseMessage response = await client.SendAsync(get);
                    string body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK || body != NodeUpstream.Greeting)
                    {
                        getFailures.Add($"GET at {offset} ms: {(int)response.StatusCode} {body.Split('\n')[0]}");
                    }
                }

                await Task.Delay(TimeSpan.FromMilliseconds(300 + offset));
                string id = $"post-{round}-{offset}";
                using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(agent.HttpsUrl, "/echo")) { Content = new StringContent(id) };
                post.Headers.Add("X-Request-Id", id);
                post.Version = HttpVersion.Version11;
                using HttpResponseMessage answer = await client.SendAsync(post);
                posts.Add((id, answer.StatusCode == HttpStatusCode.OK && await answer.Content.ReadAsStringAsync() == id));
            }
        }

        var duplicated = new List<string>();
        foreach ((string id, bool answered) in posts)
        {
            int count = int.Parse(await client.GetStringAsync(new Uri(agent.HttpsUrl, $"/count/{id}")), CultureInfo.InvariantCulture);
            if (count > 1 || (answered && count != 1))
            {
                duplicated.Add($"{id}: answered {answered}, reached the upstream {count} times");
            }
        }

        output.WriteLine($"inspect {inspect}: {getFailures.Count} GETs failed, {posts.Count(p => !p.Answered)} of {posts.Count} POSTs not answered");
        Assert.True(getFailures.Count == 0, $"{getFailures.Count} GETs failed:\n{string.Join('\n', getFailures.Take(5))}");
        Assert.True(posts.All(p => p.Answered), $"POSTs not answered: {string.Join(", ", posts.Where(p => !p.Answered).Select(p => p.Id))}");
        Assert.True(duplicated.Count == 0, $"POSTs processed other than once:\n{string.Join('\n', duplicated)}");
    }
}

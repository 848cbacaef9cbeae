using System.Globalization;
using System.Net;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Http.Upstreams;

/// <summary>
/// A chunked response with a trailer (Node's <c>addTrailers</c>), after a chunked request body. The body arrives
/// intact on every path. The trailer reaches an HTTP/2 client with inspection on and off: the agent pumps the
/// upstream's bytes either way (inspection only observes them), the edge's YARP reads the trailer from the HTTP/1.1
/// response and Kestrel sends it as a trailing HEADERS frame. Kestrel writes no trailers to HTTP/1.1 clients.
/// </summary>
public sealed class TrailersTests
{
    [Theory(Timeout = 120_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Chunked_response_with_trailer_arrives_intact(bool inspect)
    {
        await using NodeUpstream node = await NodeUpstream.StartAsync(TimeSpan.FromSeconds(5));
        await using var edge = await EdgeRun.StartAsync();
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync(
            [node.Port.ToString(CultureInfo.InvariantCulture), $"--inspect={(inspect ? "true" : "false")}", "--web-addr", "127.0.0.1:0", .. edge.AgentArgs()], state.Path);

        foreach (Version version in new[] { HttpVersion.Version20, HttpVersion.Version11 })
        {
            using HttpClient client = Clients.Create(edge.CaPath, version);
            await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
            {
                byte[] sent = new byte[1000 + i];
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(agent.HttpsUrl, "/trailers")) { Content = new ChunkedBody(sent), Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
                using HttpResponseMessage response = await client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(version, response.Version);
                Assert.Equal("part-one;part-two", await response.Content.ReadAsStringAsync());
                if (version == HttpVersion.Version20)
                {
                    Assert.True(
                        response.TrailingHeaders.TryGetValues("x-body-length", out IEnumerable<string>? trailer) && trailer.Single() == sent.Length.ToString(CultureInfo.InvariantCulture),
                        $"request {i}: trailers [{response.TrailingHeaders}], headers [{response.Headers}]");
                }
            }));
        }
    }
}

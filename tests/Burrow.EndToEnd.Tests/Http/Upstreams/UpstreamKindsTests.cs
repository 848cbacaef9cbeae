using System.Globalization;
using System.Net;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Http.Upstreams;

/// <summary>
/// Real servers of each common kind behind the tunnel (issue 17): nginx (idle keep-alive 1 s, closes every 10th
/// request's connection), Node's <c>http</c> (idle keep-alive 300 ms, <c>Connection: close</c> on <c>/close</c>) and
/// an ASP.NET Core app. The same mixed load (GET, POST with Content-Length, chunked, <c>Expect: 100-continue</c>,
/// requests timed to the upstream's idle close) runs direct first, then through the tunnel with HTTP/2 and HTTP/1.1
/// clients, inspection on and off: where the direct run loses nothing, the tunnel may lose nothing either.
/// </summary>
public sealed class UpstreamKindsTests
{
    private const int Workers = 6;
    private const int RequestsPerWorker = 40;

    [Theory(Timeout = 240_000)]
    [InlineData("nginx", true)]
    [InlineData("nginx", false)]
    [InlineData("node", true)]
    [InlineData("node", false)]
    [InlineData("kestrel", true)]
    [InlineData("kestrel", false)]
    public async Task Upstream_behind_the_tunnel_fails_no_request_the_direct_path_serves(string kind, bool inspect)
    {
        (IAsyncDisposable server, int port, UpstreamProfile profile) = await StartAsync(kind);
        await using (server)
        {
            var direct = new Uri($"http://127.0.0.1:{port}/");
            using (var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }))
            {
                IReadOnlyCollection<string> directFailures = await MixedLoad.RunAsync(client, direct, profile, Workers, RequestsPerWorker);
                Assert.True(directFailures.Count == 0, $"direct to {kind}: {directFailures.Count} failed, e.g. {directFailures.FirstOrDefault()}");
            }

            await using var edge = await EdgeRun.StartAsync();
            using var state = new TempDirectory();
            await using var agent = await AgentRun.StartAsync(
                [port.ToString(CultureInfo.InvariantCulture), $"--inspect={(inspect ? "true" : "false")}", "--web-addr", "127.0.0.1:0", .. edge.AgentArgs()], state.Path);
            foreach (Version version in new[] { HttpVersion.Version20, HttpVersion.Version11 })
            {
                using HttpClient client = Clients.Create(edge.CaPath, version);
                IReadOnlyCollection<string> all = await MixedLoad.RunAsync(client, agent.HttpsUrl, profile, Workers, RequestsPerWorker);
                Assert.True(all.Count == 0, $"{kind} through the tunnel, HTTP/{version}, inspect {inspect}: {all.Count} of {Workers * RequestsPerWorker} failed:\n{string.Join('\n', all.Take(5))}");
            }
        }
    }

    private static async Task<(IAsyncDisposable Server, int Port, UpstreamProfile Profile)> StartAsync(string kind)
    {
        switch (kind)
        {
            case "nginx":
                KeepAliveNginx nginx = await KeepAliveNginx.StartAsync();
                return (nginx, nginx.Port, new UpstreamProfile(KeepAliveNginx.Greeting, Echoes: false, TimeSpan.FromSeconds(1), HasCloseRoute: false));
            case "node":
                NodeUpstream node = await NodeUpstream.StartAsync(TimeSpan.FromMilliseconds(300));
                return (node, node.Port, new UpstreamProfile(NodeUpstream.Greeting, Echoes: true, TimeSpan.FromMilliseconds(300), HasCloseRoute: true));
            default:
                KestrelUpstream kestrel = await KestrelUpstream.StartAsync(TimeSpan.FromSeconds(1));
                return (kestrel, kestrel.Port, new UpstreamProfile(KestrelUpstream.Greeting, Echoes: true, TimeSpan.FromSeconds(1), HasCloseRoute: false));
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Http;

/// <summary>
/// python's http.server, the upstream people start first, answers HTTP/1.0 and closes after every response. .NET's
/// pools reuse such a connection, and through the tunnel 1-5 % of requests came back 502 (issue 17) where the direct
/// path loses none. Concurrent HTTP/2 and HTTP/1.1 clients, inspection on and off: not one request may fail.
/// </summary>
public sealed class Http10UpstreamTests
{
    private const int Workers = 8;
    private const int RequestsPerWorker = 100;

    [Theory(Timeout = 180_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Python_http_server_behind_the_tunnel_loses_no_request(bool inspect)
    {
        using var site = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(site.Path, "index.html"), "hello from http.server\n");
        int port = FreePort.Loopback();
        using Process server = Process.Start(new ProcessStartInfo("python3", ["-m", "http.server", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1"])
        {
            WorkingDirectory = site.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            server.OutputDataReceived += (_, _) => { };
            server.ErrorDataReceived += (_, _) => { };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(20));

            await using var edge = await EdgeRun.StartAsync();
            using var state = new TempDirectory();
            await using var agent = await AgentRun.StartAsync(
                [port.ToString(CultureInfo.InvariantCulture), $"--inspect={(inspect ? "true" : "false")}", "--web-addr", "127.0.0.1:0", .. edge.AgentArgs()], state.Path);

            foreach (Version version in new[] { HttpVersion.Version20, HttpVersion.Version11 })
            {
                using HttpClient client = Clients.Create(edge.CaPath, version);
                var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
                await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
                {
                    for (int i = 0; i < RequestsPerWorker; i++)
                    {
                        using HttpResponseMessage response = await client.GetAsync(agent.HttpsUrl);
                        string body = await response.Content.ReadAsStringAsync();
                        if (response.StatusCode != HttpStatusCode.OK || body != "hello from http.server\n")
                        {
                            failures.Add($"{(int)response.StatusCode} {body.Split('\n')[0]}");
                        }
                    }
                })));

                Assert.True(failures.IsEmpty, $"HTTP/{version}: {failures.Count} of {Workers * RequestsPerWorker} failed, e.g. {failures.FirstOrDefault()}");
            }
        }
        finally
        {
            server.Kill();
        }
    }
}

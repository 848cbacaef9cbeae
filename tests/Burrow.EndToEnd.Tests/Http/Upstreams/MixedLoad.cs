using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;

namespace Burrow.EndToEnd.Tests.Http.Upstreams;

/// <summary>
/// Concurrent workers, each sending a fixed mix in turn: GET, POST with Content-Length, POST chunked, POST with
/// <c>Expect: 100-continue</c>, and a request the upstream answers with <c>Connection: close</c> (where it has one).
/// Every 10th request waits the upstream's idle keep-alive timeout first (each worker a few ms off), so it is sent
/// right when the upstream closes the connection it would reuse. Returns what went wrong, one line per request.
/// </summary>
public static class MixedLoad
{
    public static async Task<IReadOnlyCollection<string>> RunAsync(HttpClient client, Uri baseUrl, UpstreamProfile upstream, int workers, int requestsPerWorker)
    {
        var failures = new ConcurrentQueue<string>();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (int i = 0; i < requestsPerWorker; i++)
            {
                if (i % 10 == 9)
                {
                    // The point of the test is the timing: land on the upstream's close, not wait for a signal.
                    await Task.Delay(upstream.KeepAliveTimeout + TimeSpan.FromMilliseconds((worker * 7 % 41) - 20));
                }

                byte[] body = new byte[random.Next(1, 16 * 1024)];
                random.NextBytes(body);
                string? failure = await SendOneAsync(client, baseUrl, upstream, i % 5, body);
                if (failure is not null)
                {
                    failures.Enqueue($"worker {worker} request {i}: {failure}");
                }
            }
        })));
        return failures;
    }

    private static async Task<string?> SendOneAsync(HttpClient client, Uri baseUrl, UpstreamProfile upstream, int kind, byte[] body)
    {
        using var request = kind switch
        {
            0 => new HttpRequestMessage(HttpMethod.Get, baseUrl),
            1 => new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "/echo")) { Content = new ByteArrayContent(body) },
            2 => new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "/echo")) { Content = new ChunkedBody(body) },
            3 => new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "/echo")) { Content = new ByteArrayContent(body), Headers = { ExpectContinue = true } },
            _ => new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, upstream.HasCloseRoute ? "/close" : "/")),
        };
        request.Content?.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        // A request built by hand does not take the client's default version; the load must run in the one asked for.
        request.Version = client.DefaultRequestVersion;
        request.VersionPolicy = client.DefaultVersionPolicy;
        try
        {
            using HttpResponseMessage response = await client.SendAsync(request);
            byte[] received = await response.Content.ReadAsByteArrayAsync();
            byte[] expected = kind switch
            {
                1 or 2 or 3 when upstream.Echoes => body,
                4 when upstream.HasCloseRoute => "closing"u8.ToArray(),
                _ => System.Text.Encoding.UTF8.GetBytes(upstream.Greeting),
            };
            if (response.Version != request.Version)
            {
                return $"answered over HTTP/{response.Version}, asked for HTTP/{request.Version}";
            }

            if (response.StatusCode != HttpStatusCode.OK || !received.AsSpan().SequenceEqual(expected))
            {
                string code = response.Headers.TryGetValues("Burrow-Error-Code", out var codes) ? string.Join(",", codes) : "";
                return $"{request.Method} {request.RequestUri!.AbsolutePath} kind {kind}: {(int)response.StatusCode} {code} {received.Length} bytes, {System.Text.Encoding.UTF8.GetString(received.AsSpan(0, Math.Min(200, received.Length)))}";
            }

            return null;
        }
        catch (HttpRequestException ex)
        {
            return $"{request.Method} {request.RequestUri!.AbsolutePath} kind {kind}: {ex.GetBaseException().Message}";
        }
    }
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Inspector;

/// <summary>
/// The inspector records from the bytes the agent pumps: an upstream that frames its responses by chunked coding (with
/// an extension and trailers) or by closing the connection (HTTP/1.0) is answered byte for byte, and recorded decoded.
/// </summary>
public sealed class ObservedFramingTests(InspectorFixture fixture) : IClassFixture<InspectorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 90_000)]
    public async Task Chunked_and_close_delimited_responses_pass_unchanged_and_are_recorded_decoded()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Task serving = ServeAsync(listener, stop.Token);
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using AgentRun agent = await fixture.StartAgentAsync([port.ToString(CultureInfo.InvariantCulture)]);
        using var web = new HttpClient { BaseAddress = await agent.WebUrlAsync() };

        using HttpResponseMessage chunked = await fixture.Client.GetAsync(new Uri(agent.HttpsUrl, "/chunked"), Ct);
        Assert.Equal("hello, world", await chunked.Content.ReadAsStringAsync(Ct));
        using HttpResponseMessage closing = await fixture.Client.GetAsync(new Uri(agent.HttpsUrl, "/http10"), Ct);
        Assert.Equal("until the close", await closing.Content.ReadAsStringAsync(Ct));

        JsonElement first = await WaitForCaptureAsync(web, "/chunked");
        Assert.Equal(200, first.GetProperty("response").GetProperty("status_code").GetInt32());
        Assert.EndsWith("\r\n\r\nhello, world", Raw(first.GetProperty("response")), StringComparison.Ordinal);
        JsonElement second = await WaitForCaptureAsync(web, "/http10");
        Assert.Equal("HTTP/1.0", second.GetProperty("response").GetProperty("proto").GetString());
        Assert.EndsWith("\r\n\r\nuntil the close", Raw(second.GetProperty("response")), StringComparison.Ordinal);

        await stop.CancelAsync();
        await serving;
    }

    private static string Raw(JsonElement message) => Encoding.UTF8.GetString(Convert.FromBase64String(message.GetProperty("raw").GetString()!));

    private static async Task<JsonElement> WaitForCaptureAsync(HttpClient web, string uri)
    {
        for (int i = 0; i < 100; i++)
        {
            using JsonDocument doc = JsonDocument.Parse(await web.GetStringAsync("/api/requests/http?limit=100", Ct));
            foreach (JsonElement c in doc.RootElement.GetProperty("requests").EnumerateArray())
            {
                if (c.GetProperty("request").GetProperty("uri").GetString() == uri && c.GetProperty("response").ValueKind == JsonValueKind.Object)
                {
                    return c.Clone();
                }
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException($"no capture of {uri}");
    }

    // One response per connection, then close: chunked (split oddly, with an extension and trailers) or HTTP/1.0 without a length.
    private static async Task ServeAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                using Socket socket = await listener.AcceptSocketAsync(cancellationToken);
                var head = new StringBuilder();
                var buffer = new byte[4096];
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    int read = await socket.ReceiveAsync(buffer, cancellationToken);
                    if (read == 0)
                    {
                        break;
                    }

                    head.Append(Encoding.Latin1.GetString(buffer, 0, read));
                }

                string[] parts = head.ToString().Contains(" /http10 ", StringComparison.Ordinal)
                    ? ["HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ", "the close"]
                    : ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5;ext=1\r\nhel", "lo\r\n7\r\n, world\r\n0\r\nX-Sum: 1\r\n\r\n"];
                foreach (string part in parts)
                {
                    await socket.SendAsync(Encoding.Latin1.GetBytes(part), cancellationToken);
                }

                socket.Shutdown(SocketShutdown.Both);
            }
        }
        catch (OperationCanceledException)
        {
            // The test is over.
        }
    }
}

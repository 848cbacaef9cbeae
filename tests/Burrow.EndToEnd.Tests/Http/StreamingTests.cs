using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using Burrow.EndToEnd.Tests.Harness;
using Grpc.Core;
using Grpc.Net.Client;

namespace Burrow.EndToEnd.Tests.Http;

/// <summary>Long-lived and concurrent traffic: WebSockets, streamed responses, HTTP/2 clients, gRPC over h2c, many requests at once.</summary>
public sealed class StreamingTests(TunnelFixture fixture) : IClassFixture<TunnelFixture>
{
    [Fact(Timeout = 30_000)]
    public async Task WebSocket_echoes_through_the_tunnel()
    {
        using var socket = new ClientWebSocket();
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            ConnectCallback = Clients.ConnectLoopbackAsync,
            SslOptions = Clients.TrustingOptions(fixture.Edge.CaPath),
        });
        var url = new UriBuilder(fixture.Agent.HttpsUrl) { Scheme = "wss", Path = "/ws" }.Uri;
        await socket.ConnectAsync(url, invoker, TestContext.Current.CancellationToken);

        foreach (int size in new[] { 5, 1024, 100 * 1024 })
        {
            byte[] message = new byte[size];
            Upstream.Fill(message, size);
            await socket.SendAsync(message, WebSocketMessageType.Binary, true, TestContext.Current.CancellationToken);
            byte[] received = new byte[size + 1];
            int total = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(received.AsMemory(total), TestContext.Current.CancellationToken);
                total += result.Count;
            }
            while (!result.EndOfMessage);
            Assert.Equal(message, received[..total]);
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", TestContext.Current.CancellationToken);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("/chunked", "line ")]
    [InlineData("/sse", "data: event ")]
    public async Task Streamed_response_arrives_piece_by_piece(string path, string prefix)
    {
        using var response = await fixture.Client.GetAsync(new Uri(fixture.Agent.HttpsUrl, path), HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        var clock = Stopwatch.StartNew();
        var arrivals = new List<TimeSpan>();
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                arrivals.Add(clock.Elapsed);
            }
        }

        Assert.True(arrivals.Count >= 4, string.Join(", ", arrivals));
        // The upstream writes every 300 ms: unbuffered, the last piece comes clearly after the first.
        Assert.True(arrivals[^1] - arrivals[0] > TimeSpan.FromMilliseconds(600), string.Join(", ", arrivals));
    }

    [Fact(Timeout = 30_000)]
    public async Task Http2_client_is_served_by_curl_and_HttpClient()
    {
        var (exit, stdout, stderr) = await Curl.RunAsync(["--http2", "--cacert", fixture.Edge.CaPath, "-w", " %{http_version}", new Uri(fixture.Agent.HttpsUrl, "/hello").ToString()]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from upstream 2", stdout);

        using var client = Clients.Create(fixture.Edge.CaPath, HttpVersion.Version20);
        using var response = await client.GetAsync(new Uri(fixture.Agent.HttpsUrl, "/hello"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("hello from upstream", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 60_000)]
    public async Task Two_hundred_concurrent_requests_all_succeed()
    {
        using var client = Clients.Create(fixture.Edge.CaPath);
        var tasks = Enumerable.Range(0, 200).Select(async i =>
        {
            using var content = new ByteArrayContent(BitConverter.GetBytes(i));
            using var response = await client.PostAsync(new Uri(fixture.Agent.HttpsUrl, "/echo-hash"), content, TestContext.Current.CancellationToken);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        });

        var results = await Task.WhenAll(tasks);

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(results, r => Assert.StartsWith("4 ", r.Item2, StringComparison.Ordinal));
        Assert.Equal(200, results.Select(r => r.Item2).Distinct().Count());
    }

    [Fact(Timeout = 45_000)]
    public async Task Grpc_unary_and_server_streaming_work_with_upstream_protocol_http2()
    {
        await using var agent = await fixture.StartAgentAsync(
            [$"127.0.0.1:{fixture.Upstream.H2cPort.ToString(CultureInfo.InvariantCulture)}", "--upstream-protocol", "http2"]);
        using var channel = GrpcChannel.ForAddress(agent.HttpsUrl, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = Clients.ConnectLoopbackAsync,
                SslOptions = Clients.TrustingOptions(fixture.Edge.CaPath),
                EnableMultipleHttp2Connections = true,
            },
        });
        var invoker = channel.CreateCallInvoker();

        string unary = await invoker.AsyncUnaryCall(EchoGrpcBase.UnaryMethod, null, new CallOptions(cancellationToken: TestContext.Current.CancellationToken), "ping");
        Assert.Equal("echo: ping", unary);

        using var call = invoker.AsyncServerStreamingCall(EchoGrpcBase.StreamMethod, null, new CallOptions(cancellationToken: TestContext.Current.CancellationToken), "tick");
        var received = new List<string>();
        await foreach (string item in call.ResponseStream.ReadAllAsync(TestContext.Current.CancellationToken))
        {
            received.Add(item);
        }

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"tick #{i}"), received);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }
}

using System.Text;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Mux.Errors;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;
using Burrow.Protocol.Versioning;

namespace Burrow.EndToEnd.Tests.Http;

/// <summary>
/// <c>tunnel_stats</c> goes only to agents that announced the feature: an agent of before it (which
/// ends its session on an unknown message type) gets none while its http tunnel serves clients, and
/// one that announced it gets the client connections and requests. Agents here are hand-written on
/// Burrow.Mux, answering proxy streams themselves, so nothing but the wire decides.
/// </summary>
public sealed class TunnelStatsFeatureTests : IAsyncLifetime
{
    private EdgeRun _edge = null!;

    public async ValueTask InitializeAsync() => _edge = await EdgeRun.StartAsync();

    public async ValueTask DisposeAsync() => await _edge.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task Agent_without_the_feature_gets_no_tunnel_stats_and_keeps_its_session()
    {
        await using HostileAgent agent = await HostileAgent.ConnectAsync(_edge);
        await agent.SendAsync(HostileAgent.Auth(_edge.Token));
        AuthResultMessage? auth = await agent.ReadUntilAsync<AuthResultMessage>();
        Assert.Null(auth?.Error);
        Assert.Empty(auth!.Features);
        Uri url = await BindAsync(agent);
        Task serving = ServeProxyStreamsAsync(agent.Mux);

        await SendRequestsAsync(url, 3);

        // Reports are looked at every 500 ms: four rounds pass with nothing on the control stream.
        await Assert.ThrowsAsync<TimeoutException>(() => agent.ReadAsync(TimeSpan.FromSeconds(2)));
        Assert.False(agent.Mux.IsClosed);
        await agent.Mux.DisposeAsync();
        await serving;
    }

    [Fact(Timeout = 60_000)]
    public async Task Agent_with_the_feature_gets_its_clients_and_requests()
    {
        await using HostileAgent agent = await HostileAgent.ConnectAsync(_edge);
        await agent.SendAsync(HostileAgent.Auth(_edge.Token) with { Features = [ProtocolFeatures.TunnelStats, "from_the_future"] });
        AuthResultMessage? auth = await agent.ReadUntilAsync<AuthResultMessage>();
        Assert.Null(auth?.Error);
        Assert.Equal([ProtocolFeatures.TunnelStats], auth!.Features);
        Uri url = await BindAsync(agent);
        Task serving = ServeProxyStreamsAsync(agent.Mux);

        await SendRequestsAsync(url, 3);

        TunnelStatsMessage? stats;
        do
        {
            stats = await agent.ReadUntilAsync<TunnelStatsMessage>(TimeSpan.FromSeconds(10));
            Assert.NotNull(stats);
        }
        while (stats.ConnsClosed < 1 || stats.Requests < 3);

        Assert.Equal((1L, 1L, 3L), (stats.ConnsOpened, stats.ConnsClosed, stats.Requests));
        await agent.Mux.DisposeAsync();
        await serving;
    }

    private static async Task<Uri> BindAsync(HostileAgent agent)
    {
        await agent.SendAsync(new BindMessage { RequestId = "1", Proto = TunnelProtocols.Http, TunnelName = "stats" });
        BindResultMessage? bound = await agent.ReadUntilAsync<BindResultMessage>();
        Assert.Null(bound?.Error);
        return new Uri(bound!.Urls!.First(u => u.StartsWith("https://", StringComparison.Ordinal)));
    }

    // One keep-alive client: one connection, several requests, then closed.
    private async Task SendRequestsAsync(Uri url, int count)
    {
        using HttpClient client = Clients.Create(_edge.CaPath);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal("ok", await client.GetStringAsync(url, TestContext.Current.CancellationToken));
        }
    }

    // What a real agent does, by hand: proxy header in, proxy_result out, then answer each request on the stream.
    private static async Task ServeProxyStreamsAsync(MuxSession mux)
    {
        var handlers = new List<Task>();
        try
        {
            while (true)
            {
                MuxStream stream = await mux.AcceptStreamAsync();
                handlers.Add(AnswerAsync(stream));
            }
        }
        catch (MuxException)
        {
            // The session ended.
        }

        await Task.WhenAll(handlers);
    }

    private static async Task AnswerAsync(MuxStream stream)
    {
        try
        {
            Assert.IsType<ProxyHeader>(await new ControlMessageReader(stream).ReadAsync(CancellationToken.None));
            await stream.WriteAsync(ControlMessageSerializer.SerializeToFrame(new ProxyResultMessage()));
            var pending = new StringBuilder();
            byte[] buffer = new byte[4096];
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
                // GET requests without bodies: each header block ends a request.
                int end;
                while ((end = pending.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                {
                    pending.Remove(0, end + 4);
                    await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray());
                }
            }
        }
        catch (Exception ex) when (ex is MuxException or IOException or ObjectDisposedException)
        {
            // The session ended under the stream.
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }
}

using System.Net;
using System.Security.Cryptography.X509Certificates;
using Burrow.Agent;
using Burrow.Agent.Events;
using Burrow.Edge;
using Microsoft.AspNetCore.Builder;

namespace Burrow.Sdk.Tests;

/// <summary>An embedded tunnel across an edge restart: Disconnected, then Reconnected, and the URL serves again.</summary>
public sealed class ReconnectTests : IAsyncDisposable
{
    private const string Token = "brw_sdk_reconnect_tests";
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("burrow-sdk-reconnect-");

    public ValueTask DisposeAsync()
    {
        _data.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task An_edge_restart_raises_Disconnected_then_Reconnected_and_the_url_serves_again()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using WebApplication upstream = await BurrowTunnelTests.StartUpstreamAsync(ct);
        EdgeServer edge = await StartEdgeAsync(agentPort: 0, ct);
        int agentPort = edge.Endpoints.Agents!.Port;
        int httpPort = edge.Endpoints.Http!.Port;
        string caPem = edge.LocalCaCertificate!.ExportCertificatePem();
        var options = new BurrowTunnelOptions
        {
            ServerAddress = $"127.0.0.1:{agentPort}",
            ServerName = "localhost",
            Authtoken = Token,
            EdgeCaPem = caPem,
            Url = "comeback",
        };
        await using BurrowTunnel tunnel = await BurrowTunnel.ForwardAsync(new Uri(upstream.Urls.First()), options, cancellationToken: ct);
        var lost = new TaskCompletionSource<ConnectionLost>(TaskCreationOptions.RunContinuationsAsynchronously);
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tunnel.Disconnected += e => lost.TrySetResult(e);
        tunnel.Reconnected += _ => back.TrySetResult();

        await edge.DisposeAsync();
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(15), ct);
        await using EdgeServer again = await StartEdgeAsync(agentPort, ct, httpPort);
        await back.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.StartsWith("comeback.", tunnel.Url.Host, StringComparison.Ordinal);
        using var client = new HttpClient(new SocketsHttpHandler { ConnectCallback = async (context, token) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), token);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        } });
        string body = await client.GetStringAsync(new Uri($"http://{tunnel.Url.Host}:{httpPort}/again"), ct);
        Assert.Equal("GET /again ", body);
    }

    private async Task<EdgeServer> StartEdgeAsync(int agentPort, CancellationToken ct, int httpPort = 0)
    {
        var edge = EdgeServer.Create(
            new EdgeOptions
            {
                Domain = "localhost",
                AgentEndPoint = new IPEndPoint(IPAddress.Loopback, agentPort),
                HttpsEndPoint = null,
                HttpEndPoint = new IPEndPoint(IPAddress.Loopback, httpPort),
                AdminEndPoint = null,
                DataDirectory = _data.FullName,
                DrainTimeout = TimeSpan.FromSeconds(1),
            },
            fixedAuthtoken: Token);
        await edge.StartAsync(ct);
        return edge;
    }
}

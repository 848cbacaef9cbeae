using System.Net;
using System.Net.Sockets;
using System.Text;
using Burrow.Agent;
using Burrow.Agent.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Burrow.Sdk.Tests;

/// <summary><see cref="BurrowTunnel"/> against a real edge: http and tcp tunnels, refusals with their codes, and the URL after a reconnect.</summary>
public sealed class BurrowTunnelTests(SdkEdge edge) : IClassFixture<SdkEdge>
{
    [Fact]
    public async Task ForwardAsync_http_gives_a_public_https_url_that_reaches_the_upstream()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using WebApplication upstream = await StartUpstreamAsync(ct);

        await using BurrowTunnel tunnel = await BurrowTunnel.ForwardAsync(new Uri(upstream.Urls.First()), edge.Options(), cancellationToken: ct);

        Assert.Equal("https", tunnel.Url.Scheme);
        Assert.EndsWith(".localhost", tunnel.Url.Host, StringComparison.Ordinal);
        using HttpClient client = edge.PublicClient();
        using var content = new StringContent("ping through the tunnel");
        HttpResponseMessage response = await client.PostAsync(new Uri(tunnel.Url, "/echo?x=1"), content, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("POST /echo?x=1 ping through the tunnel", await response.Content.ReadAsStringAsync(ct));
    }

    [Fact]
    public async Task ForwardAsync_tcp_gives_a_tcp_url_whose_port_echoes_through_the_upstream()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Task echo = Task.Run(async () =>
        {
            using Socket accepted = await listener.AcceptSocketAsync(ct);
            var buffer = new byte[64];
            int read;
            while ((read = await accepted.ReceiveAsync(buffer, ct)) > 0)
            {
                await accepted.SendAsync(buffer.AsMemory(0, read), ct);
            }
        }, ct);

        await using BurrowTunnel tunnel = await BurrowTunnel.ForwardAsync(
            new Uri($"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}"), edge.Options(), cancellationToken: ct);

        Assert.Equal("tcp", tunnel.Url.Scheme);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, tunnel.Url.Port, ct);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync("hello tcp"u8.ToArray(), ct);
        var reply = new byte[9];
        await stream.ReadExactlyAsync(reply, ct);
        Assert.Equal("hello tcp", Encoding.ASCII.GetString(reply));
        client.Client.Shutdown(SocketShutdown.Send);
        await echo.WaitAsync(TimeSpan.FromSeconds(10), ct);
    }

    [Fact]
    public async Task ListenAsync_tcp_hands_each_public_connection_to_the_program()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        BurrowTunnelOptions options = edge.Options();
        options.Protocol = "tcp";
        await using BurrowTunnel tunnel = await BurrowTunnel.ListenAsync(options, cancellationToken: ct);
        Task served = Task.Run(async () =>
        {
            // Two clients, one after the other: each is its own TunnelConnection, answered and closed by the program.
            for (int i = 0; i < 2; i++)
            {
                await using Burrow.Agent.Tunnels.TunnelConnection connection = (await tunnel.AcceptAsync(ct))!;
                var buffer = new byte[5];
                await connection.Stream.ReadExactlyAsync(buffer, ct);
                await connection.Stream.WriteAsync(Encoding.ASCII.GetBytes($"{Encoding.ASCII.GetString(buffer).ToUpperInvariant()} from {connection.RemoteEndPoint!.Address}"), ct);
            }
        }, ct);

        foreach (string word in (string[])["hello", "again"])
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, tunnel.Url.Port, ct);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(word), ct);
            using var reader = new StreamReader(stream);
            Assert.Equal($"{word.ToUpperInvariant()} from 127.0.0.1", await reader.ReadToEndAsync(ct));
        }

        await served.WaitAsync(TimeSpan.FromSeconds(10), ct);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await (await BurrowTunnel.ForwardAsync(new Uri("http://127.0.0.1:9"), edge.Options(), cancellationToken: ct)).AcceptAsync(ct));
    }

    [Fact]
    public async Task A_refused_authtoken_fails_opening_with_its_code_and_what_to_do()
    {
        BurrowTunnelOptions options = edge.Options();
        options.Authtoken = "brw_not_the_token";

        var error = await Assert.ThrowsAsync<BurrowException>(() =>
            BurrowTunnel.ForwardAsync(new Uri("http://127.0.0.1:9"), options, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("ERR_BURROW_1002", error.Code);
        Assert.Contains("ask the edge operator", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_name_fails_opening_with_the_bind_error()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using BurrowTunnel first = await BurrowTunnel.ForwardAsync(new Uri("http://127.0.0.1:9"), edge.Options(url: "taken-name"), cancellationToken: ct);
        BurrowTunnelOptions second = edge.Options(url: "taken-name");
        second.Name = "second";

        var error = await Assert.ThrowsAsync<BurrowException>(() => BurrowTunnel.ForwardAsync(new Uri("http://127.0.0.1:9"), second, cancellationToken: ct));

        Assert.Equal("ERR_BURROW_2001", error.Code);
        Assert.StartsWith("taken-name.", first.Url.Host, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edge_that_never_answers_fails_opening_with_1010_after_the_start_timeout()
    {
        // A port nothing listens on: every connect is refused, which the agent retries.
        using var unused = new TcpListener(IPAddress.Loopback, 0);
        unused.Start();
        int port = ((IPEndPoint)unused.LocalEndpoint).Port;
        unused.Stop();
        BurrowTunnelOptions options = edge.Options();
        options.ServerAddress = $"127.0.0.1:{port}";
        options.StartTimeout = TimeSpan.FromSeconds(1);

        var error = await Assert.ThrowsAsync<BurrowException>(() =>
            BurrowTunnel.ForwardAsync(new Uri("http://127.0.0.1:9"), options, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("ERR_BURROW_1010", error.Code);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_upstream_urls_and_leg_counts_are_refused_before_anything_is_dialled()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await Assert.ThrowsAsync<ArgumentException>(() => BurrowTunnel.ForwardAsync(new Uri("http://localhost:5000/path"), edge.Options(), cancellationToken: ct));
        await Assert.ThrowsAsync<ArgumentException>(() => BurrowTunnel.ForwardAsync(new Uri("ftp://localhost:21"), edge.Options(), cancellationToken: ct));
        BurrowTunnelOptions noServer = edge.Options();
        noServer.ServerAddress = null;
        await Assert.ThrowsAsync<ArgumentException>(() => BurrowTunnel.ForwardAsync(new Uri("http://localhost:5000"), noServer, cancellationToken: ct));
        BurrowTunnelOptions tooManyLegs = edge.Options();
        tooManyLegs.Legs = 9;
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => BurrowTunnel.ForwardAsync(new Uri("http://localhost:5000"), tooManyLegs, cancellationToken: ct));
    }

    [Fact]
    public async Task Dispose_completes_the_tunnel_without_an_error_and_the_edge_forgets_its_url()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using WebApplication upstream = await StartUpstreamAsync(ct);
        BurrowTunnel tunnel = await BurrowTunnel.ForwardAsync(new Uri(upstream.Urls.First()), edge.Options(), cancellationToken: ct);
        using HttpClient client = edge.PublicClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(tunnel.Url, ct)).StatusCode);

        await tunnel.DisposeAsync();

        await tunnel.Completion.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.True(tunnel.Completion.IsCompletedSuccessfully);
        HttpResponseMessage gone = await client.GetAsync(tunnel.Url, ct);
        Assert.True(gone.StatusCode == HttpStatusCode.NotFound, await gone.Content.ReadAsStringAsync(ct));
        Assert.Contains("ERR_BURROW_3001", await gone.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    internal static async Task<WebApplication> StartUpstreamAsync(CancellationToken ct)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication app = builder.Build();
        app.Map("/{**rest}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            string body = await reader.ReadToEndAsync(context.RequestAborted);
            return $"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} {body}";
        });
        await app.StartAsync(ct);
        return app;
    }
}

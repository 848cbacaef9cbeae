using System.Net;
using Burrow.Agent;
using Burrow.Agent.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Burrow.Sdk.Tests;

/// <summary><c>UseBurrowTunnel</c> (Kestrel serving the tunnel, no local port) and <c>AddBurrowTunnel</c> (a hosted forwarder), with real apps and a real edge.</summary>
public sealed class HostingTests(SdkEdge edge) : IClassFixture<SdkEdge>
{
    [Fact]
    public async Task UseBurrowTunnel_serves_the_app_at_its_public_url_with_no_local_port()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        BurrowTunnelOptions settings = edge.Options();
        builder.WebHost.UseBurrowTunnel(o => Copy(settings, o));
        await using WebApplication app = builder.Build();
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            return $"got {await reader.ReadToEndAsync(context.RequestAborted)} from {context.Connection.RemoteIpAddress}";
        });
        app.MapGet("/big", () => Results.Text(new string('x', 3 * 1024 * 1024)));

        await app.StartAsync(ct);

        Uri url = (await app.Services.GetRequiredService<BurrowTunnelProvider>().GetTunnelAsync(ct)).Url;
        ICollection<string> addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Assert.Equal([$"http://{url.Authority}"], addresses);
        using HttpClient client = edge.PublicClient();
        using var content = new StringContent("event-1");
        HttpResponseMessage response = await client.PostAsync(new Uri(url, "/hook"), content, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("got event-1 from 127.0.0.1", await response.Content.ReadAsStringAsync(ct));
        // Several requests on kept-alive connections, and a body larger than the pipes' pause threshold.
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(3 * 1024 * 1024, (await client.GetByteArrayAsync(new Uri(url, "/big"), ct)).Length);
        }

        await app.StopAsync(ct);
        HttpResponseMessage gone = await client.GetAsync(new Uri(url, "/big"), ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_app_hears_when_a_public_client_goes_away_mid_response(bool noLocalPort)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        BurrowTunnelOptions settings = edge.Options();
        if (noLocalPort)
        {
            builder.WebHost.UseBurrowTunnel(o => Copy(settings, o));
        }
        else
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Services.AddBurrowTunnel(o => Copy(settings, o));
        }

        await using WebApplication app = builder.Build();
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.MapGet("/endless", async (HttpContext context) =>
        {
            context.RequestAborted.Register(() => aborted.TrySetResult());
            var chunk = new byte[64 * 1024];
            try
            {
                while (!context.RequestAborted.IsCancellationRequested)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    streaming.TrySetResult();
                }
            }
            catch (OperationCanceledException)
            {
                // The client left: what this test waits for.
            }
        });
        await app.StartAsync(ct);
        Uri url = (await app.Services.GetRequiredService<BurrowTunnelProvider>().GetTunnelAsync(ct)).Url;

        using (HttpClient client = edge.PublicClient())
        using (HttpResponseMessage response = await client.GetAsync(new Uri(url, "/endless"), HttpCompletionOption.ResponseHeadersRead, ct))
        {
            // Disposing the unfinished response closes the client's connection (an undisposed one would stay open, unread).
            await using Stream body = await response.Content.ReadAsStreamAsync(ct);
            await body.ReadExactlyAsync(new byte[256 * 1024], ct);
            await streaming.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        }

        // The client's connection closed: the edge, the tunnel and the app's server pass it on, and the endless response stops.
        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(15), ct);
        await app.StopAsync(ct);
    }

    [Fact]
    public async Task UseBurrowTunnel_reads_the_Burrow_configuration_section()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        BurrowTunnelOptions settings = edge.Options();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Burrow:ServerAddress"] = settings.ServerAddress,
            ["Burrow:ServerName"] = settings.ServerName,
            ["Burrow:Authtoken"] = settings.Authtoken,
            ["Burrow:EdgeCaPem"] = settings.EdgeCaPem,
            ["Burrow:Url"] = "from-config",
            ["Burrow:Name"] = "configured",
            ["Burrow:BasicAuth:0"] = "alice:s3cret-pass",
            ["Burrow:StartTimeout"] = "00:00:20",
        });
        builder.WebHost.UseBurrowTunnel();
        await using WebApplication app = builder.Build();
        app.MapGet("/", () => "configured app");

        await app.StartAsync(ct);

        BurrowTunnel tunnel = await app.Services.GetRequiredService<BurrowTunnelProvider>().GetTunnelAsync(ct);
        Assert.Equal("configured", tunnel.Name);
        Assert.StartsWith("from-config.", tunnel.Url.Host, StringComparison.Ordinal);
        using HttpClient client = edge.PublicClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(tunnel.Url, ct)).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, tunnel.Url);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("alice:s3cret-pass"u8.ToArray()));
        HttpResponseMessage allowed = await client.SendAsync(request, ct);
        Assert.Equal("configured app", await allowed.Content.ReadAsStringAsync(ct));
        await app.StopAsync(ct);
    }

    [Fact]
    public async Task UseBurrowTunnel_with_a_refused_token_fails_the_app_start_with_the_code()
    {
        BurrowTunnelOptions settings = edge.Options();
        settings.Authtoken = "brw_wrong";
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseBurrowTunnel(o => Copy(settings, o));
        await using WebApplication app = builder.Build();

        var error = await Assert.ThrowsAsync<BurrowException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal("ERR_BURROW_1002", error.Code);
    }

    [Fact]
    public async Task AddBurrowTunnel_forwards_to_the_apps_own_address_once_it_has_started()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        BurrowTunnelOptions settings = edge.Options();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddBurrowTunnel(o => Copy(settings, o));
        await using WebApplication app = builder.Build();
        app.MapGet("/where", (HttpContext context) => $"served on port {context.Connection.LocalPort}");

        await app.StartAsync(ct);

        BurrowTunnel tunnel = await app.Services.GetRequiredService<BurrowTunnelProvider>().GetTunnelAsync(ct);
        int localPort = new Uri(app.Urls.First()).Port;
        using HttpClient client = edge.PublicClient();
        Assert.Equal($"served on port {localPort}", await client.GetStringAsync(new Uri(tunnel.Url, "/where"), ct));
        await app.StopAsync(ct);
        Assert.True(tunnel.Completion.IsCompletedSuccessfully);
    }

    private static void Copy(BurrowTunnelOptions from, BurrowTunnelOptions to)
    {
        to.ServerAddress = from.ServerAddress;
        to.ServerName = from.ServerName;
        to.Authtoken = from.Authtoken;
        to.EdgeCaPem = from.EdgeCaPem;
        to.StartTimeout = from.StartTimeout;
    }
}

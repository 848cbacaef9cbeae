using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Burrow.Agent.Forwarding;

/// <summary>The upstream of a <c>file:///dir</c> tunnel: a small Kestrel static-file server on a loopback port.</summary>
internal sealed class StaticFileServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StaticFileServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<StaticFileServer> StartAsync(string directory, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "burrow-files" });
        Burrow.Agent.Hosting.SignalFreeLifetime.Use(builder.Services);
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddDirectoryBrowser();
        builder.Services.AddRouting();
        var app = builder.Build();
        var files = new PhysicalFileProvider(directory);
        app.UseFileServer(new FileServerOptions { FileProvider = files, EnableDirectoryBrowsing = true });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new StaticFileServer(app, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// An ASP.NET Core app on a real loopback port as an upstream: <c>/</c> greets, <c>/echo</c> answers with the request
/// body, <c>/count/{id}</c> says how often a request with that <c>X-Request-Id</c> arrived.
/// </summary>
public sealed class KestrelUpstream : IAsyncDisposable
{
    public const string Greeting = "hello from kestrel";

    private readonly WebApplication _app;

    private KestrelUpstream(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<KestrelUpstream> StartAsync(TimeSpan keepAliveTimeout)
    {
        int port = FreePort.Loopback();
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.Limits.KeepAliveTimeout = keepAliveTimeout;
            options.ListenLocalhost(port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        WebApplication app = builder.Build();
        var seen = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        app.Run(async context =>
        {
            if (context.Request.Headers["X-Request-Id"].ToString() is { Length: > 0 } id)
            {
                seen.AddOrUpdate(id, 1, static (_, n) => n + 1);
            }

            string path = context.Request.Path.Value ?? "/";
            if (path.StartsWith("/count/", StringComparison.Ordinal))
            {
                await context.Response.WriteAsync(seen.GetValueOrDefault(path[7..]).ToString(System.Globalization.CultureInfo.InvariantCulture));
                return;
            }

            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            if (path == "/echo")
            {
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length));
                return;
            }

            await context.Response.WriteAsync(Greeting);
        });
        await app.StartAsync();
        return new KestrelUpstream(app, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

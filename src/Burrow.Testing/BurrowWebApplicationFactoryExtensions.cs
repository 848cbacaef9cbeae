using Burrow.Agent;
using Burrow.Agent.AspNetCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Burrow.Testing;

/// <summary>Gives a <see cref="WebApplicationFactory{TEntryPoint}"/>'s app a public URL through a Burrow tunnel.</summary>
public static class BurrowWebApplicationFactoryExtensions
{
    /// <summary>
    /// Starts the app on Kestrel with a Burrow tunnel as its endpoint (no local port) and returns its public URL.
    /// The edge is <see cref="BurrowTunnelOptions.ServerAddress"/> when <paramref name="configure"/> sets it, else
    /// <c>BURROW_SERVER</c> (with <c>BURROW_AUTHTOKEN</c> and <c>BURROW_EDGE_CA</c>) when set, else an edge started in
    /// this process on loopback, so a webhook test needs nothing but <c>dotnet test</c>.
    /// </summary>
    /// <typeparam name="TEntryPoint">The app's entry point type.</typeparam>
    /// <param name="factory">The factory; not started yet (the helper starts a configured copy of it).</param>
    /// <param name="configure">The tunnel's settings (edge, name, basic auth...).</param>
    /// <param name="cancellationToken">Gives up starting.</param>
    /// <exception cref="BurrowException">The tunnel could not open; <see cref="BurrowException.Code"/> says why.</exception>
    public static async Task<BurrowTestTunnel> StartBurrowTunnelAsync<TEntryPoint>(
        this WebApplicationFactory<TEntryPoint> factory, Action<BurrowTunnelOptions>? configure = null, CancellationToken cancellationToken = default)
        where TEntryPoint : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        var settings = new BurrowTunnelOptions { Name = "test" };
        configure?.Invoke(settings);
        BurrowTestEdge? edge = null;
        string? caPem = null;
        if (string.IsNullOrWhiteSpace(settings.ServerAddress))
        {
            if (Environment.GetEnvironmentVariable("BURROW_SERVER") is { Length: > 0 } server)
            {
                settings.ServerAddress = server;
                settings.Authtoken ??= Environment.GetEnvironmentVariable("BURROW_AUTHTOKEN");
                settings.EdgeCaPath ??= Environment.GetEnvironmentVariable("BURROW_EDGE_CA") is { Length: > 0 } ca ? ca : null;
            }
            else
            {
                edge = await BurrowTestEdge.StartAsync(cancellationToken).ConfigureAwait(false);
                settings.ServerAddress = edge.AgentAddress;
                settings.ServerName = "localhost";
                settings.Authtoken = edge.Authtoken;
                settings.EdgeCaPem = caPem = edge.CaPem;
            }
        }

        WebApplicationFactory<TEntryPoint>? app = null;
        try
        {
            app = factory.WithWebHostBuilder(web => web.UseBurrowTunnel(options => CopyTo(settings, options)));
            app.UseKestrel();
            // StartServer blocks while the host starts, which includes opening the tunnel.
            await Task.Run(app.StartServer, cancellationToken).ConfigureAwait(false);
            BurrowTunnel tunnel = await app.Services.GetRequiredService<BurrowTunnelProvider>().GetTunnelAsync(cancellationToken).ConfigureAwait(false);
            return new BurrowTestTunnel(tunnel, app.Services, app, edge, caPem);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            if (edge is not null)
            {
                await edge.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private static void CopyTo(BurrowTunnelOptions from, BurrowTunnelOptions to)
    {
        BurrowTunnelOptions copy = from.Clone();
        to.ServerAddress = copy.ServerAddress;
        to.ServerName = copy.ServerName;
        to.Authtoken = copy.Authtoken;
        to.EdgeCaPath = copy.EdgeCaPath;
        to.EdgeCaPem = copy.EdgeCaPem;
        to.Name = copy.Name;
        to.Url = copy.Url;
        to.WebAddress = copy.WebAddress;
        to.UpstreamTlsVerify = copy.UpstreamTlsVerify;
        to.StartTimeout = copy.StartTimeout;
        to.RetryForever = copy.RetryForever;
        Replace(to.BasicAuth, copy.BasicAuth);
        Replace(to.AllowCidrs, copy.AllowCidrs);
        Replace(to.DenyCidrs, copy.DenyCidrs);
    }

    private static void Replace(IList<string> target, IList<string> items)
    {
        target.Clear();
        foreach (string item in items)
        {
            target.Add(item);
        }
    }
}

using Burrow.Agent;
using Burrow.Agent.AspNetCore;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Hosting;

/// <summary>Serves an ASP.NET Core app straight from a Burrow tunnel.</summary>
public static class BurrowWebHostBuilderExtensions
{
    /// <summary>
    /// Serves the app's public URL straight from a Burrow tunnel, with no local port: Kestrel accepts the tunnel's
    /// connections as its own. Settings come from the <c>"Burrow"</c> configuration section, then
    /// <paramref name="configure"/>. Kestrel then listens only where the app's code says (this tunnel, plus any
    /// <c>Listen</c> calls); the app fails to start with a <see cref="BurrowException"/> if the tunnel cannot open.
    /// The URL is in <see cref="BurrowTunnelProvider"/>.
    /// </summary>
    /// <param name="builder">The app's web host.</param>
    /// <param name="configure">Settings over the configuration's.</param>
    public static IWebHostBuilder UseBurrowTunnel(this IWebHostBuilder builder, Action<BurrowTunnelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices((context, services) =>
        {
            BurrowServiceCollectionExtensions.AddBurrowOptions(services, context.Configuration, configure);
            // Added, not tried: Kestrel's socket factory is registered already, and the selector keeps each to its endpoints.
            services.AddSingleton<IConnectionListenerFactory, BurrowConnectionListenerFactory>();
            services.Configure<KestrelServerOptions>(kestrel => kestrel.Listen(new BurrowEndPoint()));
        });
    }

}

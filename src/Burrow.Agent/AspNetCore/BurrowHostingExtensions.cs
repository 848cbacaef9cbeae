using Burrow.Agent;
using Burrow.Agent.AspNetCore;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Hosting;

/// <summary>Serves an ASP.NET Core app through a Burrow tunnel.</summary>
public static class BurrowHostingExtensions
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
            AddOptions(services, context.Configuration, configure);
            // Added, not tried: Kestrel's socket factory is registered already, and the selector keeps each to its endpoints.
            services.AddSingleton<IConnectionListenerFactory, BurrowConnectionListenerFactory>();
            services.Configure<KestrelServerOptions>(kestrel => kestrel.Listen(new BurrowEndPoint()));
        });
    }

    /// <summary>
    /// Opens a Burrow tunnel to the app once it has started, and closes it when the app stops: the app keeps its own
    /// port, and the tunnel forwards to <see cref="BurrowTunnelOptions.Upstream"/> (default the app's first address).
    /// Settings come from the <c>"Burrow"</c> configuration section, then <paramref name="configure"/>. The URL is in
    /// <see cref="BurrowTunnelProvider"/>.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Settings over the configuration's.</param>
    public static IServiceCollection AddBurrowTunnel(this IServiceCollection services, Action<BurrowTunnelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddOptions(services, configuration: null, configure);
        services.AddHostedService<BurrowForwardingService>();
        return services;
    }

    private static void AddOptions(IServiceCollection services, IConfiguration? configuration, Action<BurrowTunnelOptions>? configure)
    {
        services.TryAddSingleton<BurrowTunnelProvider>();
        OptionsBuilder<BurrowTunnelOptions> options = services.AddOptions<BurrowTunnelOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(BurrowTunnelOptions.SectionName));
        }
        else
        {
            options.BindConfiguration(BurrowTunnelOptions.SectionName);
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }
    }
}

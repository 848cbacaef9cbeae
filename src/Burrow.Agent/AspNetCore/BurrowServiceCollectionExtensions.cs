using Burrow.Agent;
using Burrow.Agent.AspNetCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Opens a Burrow tunnel to an ASP.NET Core app as a hosted service.</summary>
public static class BurrowServiceCollectionExtensions
{
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
        AddBurrowOptions(services, configuration: null, configure);
        services.AddHostedService<BurrowForwardingService>();
        return services;
    }

    internal static void AddBurrowOptions(IServiceCollection services, IConfiguration? configuration, Action<BurrowTunnelOptions>? configure)
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

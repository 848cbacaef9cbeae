using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Burrow.Agent.AspNetCore;

/// <summary>
/// <c>AddBurrowTunnel</c>'s hosted service: once the app has started, opens a tunnel to
/// <see cref="BurrowTunnelOptions.Upstream"/> (default the app's own first address) and closes it when the app stops.
/// A tunnel that cannot open is logged with its error code and leaves the app running.
/// </summary>
internal sealed class BurrowForwardingService(
    IOptions<BurrowTunnelOptions> options, BurrowTunnelProvider provider, IHostApplicationLifetime lifetime, IServer server, ILoggerFactory loggers)
    : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger(HostingLog.Category);
    private readonly CancellationTokenSource _stopping = new();
    private Task<BurrowTunnel?> _opening = Task.FromResult<BurrowTunnel?>(null);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The app's addresses are known only once it listens.
        lifetime.ApplicationStarted.Register(() => _opening = OpenAsync(_stopping.Token));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (await _opening.ConfigureAwait(false) is { } tunnel)
        {
            await tunnel.DisposeAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync()
    {
        _stopping.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<BurrowTunnel?> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            BurrowTunnelOptions settings = options.Value;
            string? upstream = settings.Upstream ?? FirstAppAddress();
            if (upstream is null || !Uri.TryCreate(upstream.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal)
                    .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://[::1]", StringComparison.Ordinal), UriKind.Absolute, out Uri? target))
            {
                throw new InvalidOperationException(
                    $"Burrow:Upstream is {(upstream is null ? "not set and the app listens on no address" : $"'{upstream}', not a URL")}; set it, e.g. http://localhost:5000.");
            }

            BurrowTunnel tunnel = await BurrowTunnel.ForwardAsync(target, settings, loggers, cancellationToken).ConfigureAwait(false);
            HostingLog.Online(_logger, tunnel.Name, tunnel.Url, target.ToString());
            provider.Opened(tunnel);
            return tunnel;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            provider.Failed(new OperationCanceledException("The app stopped before the tunnel was online."));
            return null;
        }
        catch (Exception ex) when (ex is BurrowException or ArgumentException or InvalidOperationException or IOException or System.Security.Cryptography.CryptographicException)
        {
            HostingLog.Failed(_logger, (ex as BurrowException)?.Code ?? "-", ex.Message);
            provider.Failed(ex);
            return null;
        }
    }

    private string? FirstAppAddress() =>
        server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal))
        ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
}

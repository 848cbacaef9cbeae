using System.Net;
using System.Net.Sockets;
using Burrow.Protocol.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Burrow.Agent.Web;

/// <summary>
/// The agent's web interface: the inspector page and the agent API on one port (127.0.0.1:4040 by
/// default, the next free port when that one is taken). Requests naming a foreign Host are refused,
/// so a web page cannot reach the API through DNS rebinding.
/// </summary>
internal sealed class WebServer : IAsyncDisposable
{
    private const int PortsToTry = 50;

    /// <summary>How long the agent's servers let requests finish on stop before cutting them.</summary>
    internal static readonly TimeSpan StopGrace = TimeSpan.FromMilliseconds(500);
    private readonly WebApplication _app;

    private WebServer(WebApplication app, string address, int? movedFrom)
    {
        _app = app;
        Address = address;
        MovedFrom = movedFrom;
    }

    /// <summary>host:port it listens on.</summary>
    public string Address { get; }

    /// <summary>The port asked for, when it was taken and the server listens on a later one; otherwise <see langword="null"/>.</summary>
    public int? MovedFrom { get; }

    public string Url => "http://" + Address;

    public static async Task<(WebServer? Server, ProtocolError? Error)> StartAsync(AgentRunner runner, string address, CancellationToken cancellationToken)
    {
        if (!TryParse(address, out IPAddress? ip, out string host, out int port))
        {
            return (null, ErrorCodes.WebAddressUnavailable.ToError(address, "use host:port with an IP address or localhost, e.g. 127.0.0.1:4040"));
        }

        string reason = "";
        for (int attempt = 0; attempt < PortsToTry; attempt++)
        {
            int tryPort = port == 0 ? 0 : port + attempt;
            if (tryPort > 65535)
            {
                break;
            }

            // An empty builder, as the inspector's: no appsettings, environment or file watchers of the user's directory.
            WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "burrow-web" });
            Burrow.Agent.Hosting.SignalFreeLifetime.Use(builder.Services);
            builder.WebHost.UseKestrelCore();
            builder.Services.AddRouting();
            builder.WebHost.ConfigureKestrel(o =>
            {
                o.AddServerHeader = false;
                o.Listen(ip, tryPort);
            });
            WebApplication app = builder.Build();
            var api = new AgentApi(runner);
            app.Use(async (context, next) =>
            {
                if (!HostAllowed(context.Request.Host.Host, host))
                {
                    await AgentApi.WriteErrorAsync(context, ErrorCodes.WebHostRefused, ErrorCodes.WebHostRefused.ToError(context.Request.Host.Value ?? "")).ConfigureAwait(false);
                    return;
                }

                await next(context).ConfigureAwait(false);
            });
            if (runner.Meters is { } meters)
            {
                app.UseOpenTelemetryPrometheusScrapingEndpoint(meters, context => context.Request.Path == "/metrics", path: null, configureBranchedPipeline: null, optionsName: null);
            }

            api.Map(app);
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                reason = ex.Message;
                await app.DisposeAsync().ConfigureAwait(false);
                continue;
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                await app.DisposeAsync().ConfigureAwait(false);
                return (null, ErrorCodes.WebAddressUnavailable.ToError(address, ex.Message.TrimEnd('.')));
            }

            int bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
            string shown = ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]:{bound}" : $"{ip}:{bound}";
            return (new WebServer(app, shown, port != 0 && bound != port ? port : null), null);
        }

        return (null, ErrorCodes.WebAddressUnavailable.ToError(address, $"that port and the next {PortsToTry - 1} are taken ({reason.TrimEnd('.')})"));
    }

    public async ValueTask DisposeAsync()
    {
        // A browser left on the live page holds an event stream open; Kestrel would wait its shutdown timeout (30 s)
        // for it. Let short requests finish, then cut what is left.
        using var grace = new CancellationTokenSource(StopGrace);
        await _app.StopAsync(grace.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// localhost names, IP literals (which DNS rebinding cannot produce) and the configured host pass;
    /// any other name is someone else's DNS pointing here.
    /// </summary>
    internal static bool HostAllowed(string requestHost, string listenHost)
    {
        string h = requestHost.Trim('[', ']').TrimEnd('.');
        return h.Length > 0
            && (h.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                || h.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
                || IPAddress.TryParse(h, out _)
                || h.Equals(listenHost.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));
    }

    private static bool TryParse(string address, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? ip, out string host, out int port)
    {
        ip = null;
        port = 0;
        int colon = address.LastIndexOf(':');
        host = colon < 0 ? address : address[..colon];
        if (colon < 0 || !int.TryParse(address.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port > 65535)
        {
            return false;
        }

        string bare = host.Trim('[', ']');
        if (bare.Length == 0 || bare.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            ip = IPAddress.Loopback;
            return true;
        }

        return IPAddress.TryParse(bare, out ip);
    }
}

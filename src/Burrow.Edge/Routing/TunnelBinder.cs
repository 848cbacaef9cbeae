using System.Globalization;
using Burrow.Edge.Agents;
using Burrow.Edge.Tcp;
using Burrow.Protocol;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Routing;

/// <summary>Turns a <c>bind</c> into a live tunnel: validates it, picks or checks the hostname, builds the policy.</summary>
internal sealed partial class TunnelBinder
{
    private readonly EdgeOptions _options;
    private readonly TunnelRegistry _tunnels;
    private readonly EdgeEndpoints _endpoints;
    private readonly ILogger _logger;
    private readonly ILogger _tcpLogger;
    private readonly TimeProvider _time;

    public TunnelBinder(EdgeOptions options, TunnelRegistry tunnels, EdgeEndpoints endpoints, ILogger<TunnelBinder> logger, ILogger<TcpTunnelListener> tcpLogger, TimeProvider time)
    {
        _time = time;
        _tcpLogger = tcpLogger;
        _options = options;
        _tunnels = tunnels;
        _endpoints = endpoints;
        _logger = logger;
    }

    public BindResultMessage Bind(AgentSession session, BindMessage bind)
    {
        if (!BindValidator.TryValidate(bind, out ValidatedEndpointOptions? options, out ProtocolError? error))
        {
            return Refuse(bind, error);
        }

        if (bind.Proto is not (TunnelProtocols.Http or TunnelProtocols.Tcp or TunnelProtocols.Tls))
        {
            return Refuse(bind, ErrorCodes.UnknownProto.WithMessage(
                $"This edge serves http, tcp and tls tunnels; {bind.Proto} tunnels are not available."));
        }

        if (session.TunnelCount >= _options.MaxTunnelsPerSession)
        {
            return Refuse(bind, ErrorCodes.TooManyTunnels.ToError(_options.MaxTunnelsPerSession));
        }

        if (bind.Proto == TunnelProtocols.Tcp)
        {
            return BindTcp(session, bind, options);
        }

        string domain = _options.Domain;
        string? requested = bind.Subdomain is { } sub ? $"{sub}.{domain}" : bind.Hostname;
        if (requested is not null)
        {
            string? label = LabelUnder(requested, domain);
            if (label is null)
            {
                return Refuse(bind, ErrorCodes.HostnameNotAllowed.WithMessage(
                    $"This authtoken may not bind hostname '{requested}': this edge serves names of the form <name>.{domain} only."));
            }

            var tunnel = new Tunnel(NameGenerator.Id("tun_"), requested, session, bind, options, _options);
            if (!_tunnels.TryAdd(tunnel))
            {
                return Refuse(bind, ErrorCodes.HostnameTaken.ToError(requested));
            }

            return Accept(session, bind, tunnel);
        }

        for (int attempt = 0; attempt < 16; attempt++)
        {
            var tunnel = new Tunnel(NameGenerator.Id("tun_"), $"{NameGenerator.Next()}.{domain}", session, bind, options, _options);
            if (_tunnels.TryAdd(tunnel))
            {
                return Accept(session, bind, tunnel);
            }
        }

        return Refuse(bind, ErrorCodes.InternalError.ToError("no free random hostname"));
    }

    private BindResultMessage BindTcp(AgentSession session, BindMessage bind, ValidatedEndpointOptions options)
    {
        int min = _options.TcpPortMin, max = _options.TcpPortMax;
        string range = string.Create(CultureInfo.InvariantCulture, $"{min}-{max}");
        if (bind.RemotePort is { } requested)
        {
            if (requested < min || requested > max)
            {
                return Refuse(bind, ErrorCodes.TcpPortUnavailable.WithMessage(string.Create(CultureInfo.InvariantCulture,
                    $"TCP port {requested} is not available: this edge gives TCP tunnels ports {range}.")));
            }

            return TryBindPort(session, bind, options, requested) is { } tunnel
                ? Accept(session, bind, tunnel)
                : Refuse(bind, ErrorCodes.TcpPortUnavailable.WithMessage(string.Create(CultureInfo.InvariantCulture,
                    $"TCP port {requested} is not available: another tunnel or program is using it.")));
        }

        // Start at a random port so that ports freed a moment ago are not handed out again at once.
        int count = max - min + 1;
        int start = Random.Shared.Next(count);
        for (int i = 0; i < count; i++)
        {
            if (TryBindPort(session, bind, options, min + ((start + i) % count)) is { } tunnel)
            {
                return Accept(session, bind, tunnel);
            }
        }

        return Refuse(bind, ErrorCodes.TcpPortUnavailable.WithMessage($"No TCP port is free in this edge's range {range}."));
    }

    private Tunnel? TryBindPort(AgentSession session, BindMessage bind, ValidatedEndpointOptions options, int port)
    {
        string url = string.Create(CultureInfo.InvariantCulture, $"tcp://{_options.Domain}:{port}");
        if (_tunnels.IsTaken(url) || TcpTunnelListener.TryBind(_options.TcpBindAddress, port, _tcpLogger, _time) is not { } listener)
        {
            return null;
        }

        var tunnel = new Tunnel(NameGenerator.Id("tun_"), url, session, bind, options, _options) { TcpListener = listener };
        if (!_tunnels.TryAdd(tunnel))
        {
            listener.Dispose();
            return null;
        }

        listener.Start(tunnel);
        return tunnel;
    }

    public UnbindResultMessage Unbind(AgentSession session, UnbindMessage unbind)
    {
        Tunnel? tunnel = session.RemoveTunnel(unbind.TunnelId);
        if (tunnel is not null)
        {
            _tunnels.Remove(tunnel);
            Log.TunnelUnbound(_logger, tunnel.Id, tunnel.Hostname);
        }

        return new UnbindResultMessage { TunnelId = unbind.TunnelId };
    }

    private BindResultMessage Accept(AgentSession session, BindMessage bind, Tunnel tunnel)
    {
        var urls = new List<string>(2);
        if (tunnel.Proto == TunnelProtocols.Tcp)
        {
            urls.Add(tunnel.Hostname);
        }
        else if (tunnel.Proto == TunnelProtocols.Tls)
        {
            // Served on the public HTTPS port, routed by SNI; no http:// URL.
            if (_endpoints.Https is { } tlsPort)
            {
                int port = _options.PublicHttpsPort ?? tlsPort.Port;
                urls.Add(port == 443 ? $"tls://{tunnel.Hostname}" : string.Create(CultureInfo.InvariantCulture, $"tls://{tunnel.Hostname}:{port}"));
            }
        }
        else if (_endpoints.Https is { } https)
        {
            int port = _options.PublicHttpsPort ?? https.Port;
            urls.Add(port == 443 ? $"https://{tunnel.Hostname}" : string.Create(CultureInfo.InvariantCulture, $"https://{tunnel.Hostname}:{port}"));
        }

        if (tunnel.Proto == TunnelProtocols.Http && _endpoints.Http is { } http)
        {
            int port = _options.PublicHttpPort ?? http.Port;
            urls.Add(port == 80 ? $"http://{tunnel.Hostname}" : string.Create(CultureInfo.InvariantCulture, $"http://{tunnel.Hostname}:{port}"));
        }

        tunnel.Urls = urls;
        session.AddTunnel(tunnel);
        Log.TunnelBound(_logger, tunnel.Id, tunnel.Hostname, session.Id);
        return new BindResultMessage { RequestId = bind.RequestId, TunnelId = tunnel.Id, Urls = urls };
    }

    private BindResultMessage Refuse(BindMessage bind, ProtocolError error)
    {
        Log.BindRefused(_logger, error.Code, error.Message);
        return new BindResultMessage { RequestId = bind.RequestId, Error = error };
    }

    /// <summary>The one label that puts <paramref name="hostname"/> directly under <paramref name="domain"/>, or <see langword="null"/>.</summary>
    private static string? LabelUnder(string hostname, string domain)
    {
        if (!hostname.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string label = hostname[..^(domain.Length + 1)];
        return label.Length > 0 && !label.Contains('.', StringComparison.Ordinal) ? label : null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1200, EventName = "TunnelBound", Level = LogLevel.Information, Message = "Tunnel {TunnelId} bound to {Hostname} for session {SessionId}")]
        public static partial void TunnelBound(ILogger logger, string tunnelId, string hostname, string sessionId);

        [LoggerMessage(EventId = 1201, EventName = "TunnelUnbound", Level = LogLevel.Information, Message = "Tunnel {TunnelId} ({Hostname}) unbound")]
        public static partial void TunnelUnbound(ILogger logger, string tunnelId, string hostname);

        [LoggerMessage(EventId = 1202, EventName = "BindRefused", Level = LogLevel.Information, Message = "Bind refused: {Code} {Reason}")]
        public static partial void BindRefused(ILogger logger, string code, string reason);
    }
}

using System.Globalization;
using Burrow.Edge.Access;
using Burrow.Edge.Agents;
using Burrow.Edge.Certificates.OnDemand;
using Burrow.Edge.Policy;
using Burrow.Edge.Policy.Loading;
using Burrow.Edge.Tcp;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Validation;
using Burrow.Storage;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Routing;

/// <summary>
/// Turns a <c>bind</c> into a live tunnel: validates it, picks or checks the hostname, builds the traffic policy (the
/// operator's pinned to a reserved name or port first, then the agent's).
/// </summary>
internal sealed partial class TunnelBinder
{
    private readonly EdgeOptions _options;
    private readonly TunnelRegistry _tunnels;
    private readonly EdgeEndpoints _endpoints;
    private readonly BindAccess _access;
    private readonly AuditTrail _audit;
    private readonly ILogger _logger;
    private readonly ILogger _tcpLogger;
    private readonly TimeProvider _time;
    private readonly PolicyServices _policyServices;
    private readonly PinnedPolicies _pinned;
    private readonly OnDemandCertificates? _onDemand;
    private readonly Cluster.ClusterRoutes? _routes;
    private readonly Cluster.RemoteTcpPorts? _remotePorts;

    public TunnelBinder(
        EdgeOptions options, TunnelRegistry tunnels, EdgeEndpoints endpoints, BindAccess access, AuditTrail audit,
        ILogger<TunnelBinder> logger, ILogger<TcpTunnelListener> tcpLogger, TimeProvider time, PolicyServices policyServices, PinnedPolicies pinned,
        OnDemandCertificates? onDemand = null, Cluster.ClusterRoutes? routes = null, Cluster.RemoteTcpPorts? remotePorts = null)
    {
        _routes = routes;
        _remotePorts = remotePorts;
        _onDemand = onDemand;
        _policyServices = policyServices;
        _pinned = pinned;
        _time = time;
        _tcpLogger = tcpLogger;
        _options = options;
        _tunnels = tunnels;
        _endpoints = endpoints;
        _access = access;
        _audit = audit;
        _logger = logger;
    }

    /// <summary>Binds a tunnel; <paramref name="tunnelId"/> asks for that id (an ngrok client's reconnect), which is given unless a live tunnel has it.</summary>
    public async Task<BindResultMessage> BindAsync(AgentSession session, BindMessage bind, CancellationToken cancellationToken, string? tunnelId = null)
    {
        if (!BindValidator.TryValidate(bind, out ValidatedEndpointOptions? options, out ProtocolError? error))
        {
            return Refuse(session, bind, error);
        }

        if (bind.Proto is not (TunnelProtocols.Http or TunnelProtocols.Tcp or TunnelProtocols.Tls))
        {
            return Refuse(session, bind, ErrorCodes.UnknownProto.WithMessage(
                $"This edge serves http, tcp and tls tunnels; {bind.Proto} tunnels are not available."));
        }

        // Compiled before anything is reserved: a bad document refuses the bind whole.
        TrafficPolicy? policy = null;
        if (options.TrafficPolicy is { } document)
        {
            PolicyLoadResult loaded = PolicyLoader.Load(document, bind.Proto, _policyServices);
            if (loaded.Policy is null)
            {
                PolicyError first = loaded.Errors[0];
                string more = loaded.Errors.Count > 1 ? $" (and {loaded.Errors.Count - 1} more: {string.Join("; ", loaded.Errors.Skip(1).Take(4))})" : "";
                return Refuse(session, bind, ErrorCodes.TrafficPolicyInvalid.ToError(first.Where, first.Message + more));
            }

            policy = loaded.Policy;
        }

        if (BindAccess.CheckProto(session, bind.Proto) is { } notAllowed)
        {
            return Refuse(session, bind, notAllowed);
        }

        if (session.TunnelCount >= _options.MaxTunnelsPerSession)
        {
            return Refuse(session, bind, ErrorCodes.TooManyTunnels.ToError(_options.MaxTunnelsPerSession));
        }

        // A node cut off from the cluster's database could not claim the name anyway: say so with ERR_BURROW_5320 (what
        // its /healthz reports) before the reservation check fails on the same database with the vaguer store error.
        if (_routes?.Unavailable is { } cut)
        {
            policy?.Dispose();
            return Refuse(session, bind, ErrorCodes.ClusterRoutesUnavailable.ToError(cut));
        }

        SemaphoreSlim? gate = _access.QuotaGate(session);
        if (gate is not null)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            if (_access.CheckTunnelQuota(session) is { } quota)
            {
                return Refuse(session, bind, quota);
            }

            BindResultMessage result = bind.Proto == TunnelProtocols.Tcp
                ? await BindTcpAsync(session, bind, options, policy, tunnelId, cancellationToken).ConfigureAwait(false)
                : await BindNameAsync(session, bind, options, policy, tunnelId, cancellationToken).ConfigureAwait(false);
            if (result.Error is not null)
            {
                policy?.Dispose();
            }

            return result;
        }
        catch (StoreException)
        {
            policy?.Dispose();
            return Refuse(session, bind, ErrorCodes.StoreUnavailable.ToError("cannot check reservations"));
        }
        finally
        {
            gate?.Release();
        }
    }

    private async Task<BindResultMessage> BindNameAsync(AgentSession session, BindMessage bind, ValidatedEndpointOptions options, TrafficPolicy? policy, string? tunnelId, CancellationToken cancellationToken)
    {
        string domain = _options.Domain;
        string? requested = bind.Subdomain is { } sub ? $"{sub}.{domain}" : bind.Hostname?.ToLowerInvariant();
        if (requested is not null)
        {
            // Read before the reservation: should the operator change its pin meanwhile, the tunnel reads it again once registered.
            long pins = _pinned.Version;
            bool underBaseDomain = LabelUnder(requested, domain) is not null;
            (ProtocolError? refused, ReservedDomain? reservation) = await _access.CheckHostnameAsync(session, requested, underBaseDomain, domain, cancellationToken).ConfigureAwait(false);
            if (refused is not null)
            {
                return Refuse(session, bind, refused, requested);
            }

            (TrafficPolicy? pinned, ProtocolError? invalid) = _pinned.ForBind(reservation?.TrafficPolicy, bind.Proto, requested);
            if (invalid is not null)
            {
                return Refuse(session, bind, invalid, requested);
            }

            var tunnel = new Tunnel(NewTunnelId(tunnelId), requested, session, bind, options, _options) { AgentPolicy = policy };
            tunnel.Pin(pinned, reservation?.TrafficPolicy);
            if (_tunnels.TryAdd(tunnel, out _) is not Pooling.PoolJoin.Added and var join)
            {
                pinned?.Dispose();
                return Refuse(session, bind, Conflict(join, requested, bind.Pooling), requested);
            }

            BindResultMessage accepted = await AcceptPinnedAsync(session, bind, tunnel, pins, null, cancellationToken).ConfigureAwait(false);
            // Only the account's own reservation, never a name a scope merely allows; a passthrough tls tunnel shows the upstream's certificate.
            if (accepted.Error is null && reservation is not null && (tunnel.Proto == TunnelProtocols.Http || tunnel.TerminatesTls))
            {
                _onDemand?.Request(requested);
            }

            return accepted;
        }

        if (BindAccess.CheckRandomName(session) is { } scoped)
        {
            return Refuse(session, bind, scoped);
        }

        for (int attempt = 0; attempt < 16; attempt++)
        {
            string candidate = $"{NameGenerator.Next()}.{domain}";
            // A reserved name is never handed out at random, even while its owner is offline.
            if (await _access.IsReservedAsync(candidate, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            // A reserved name is skipped above, so a random one has no pinned policy.
            var tunnel = new Tunnel(NewTunnelId(tunnelId), candidate, session, bind, options, _options) { AgentPolicy = policy };
            if (_tunnels.TryAdd(tunnel))
            {
                return await AcceptAsync(session, bind, tunnel, cancellationToken).ConfigureAwait(false);
            }
        }

        return Refuse(session, bind, ErrorCodes.InternalError.ToError("no free random hostname"));
    }

    private async Task<BindResultMessage> BindTcpAsync(AgentSession session, BindMessage bind, ValidatedEndpointOptions options, TrafficPolicy? policy, string? tunnelId, CancellationToken cancellationToken)
    {
        int min = _options.TcpPortMin, max = _options.TcpPortMax;
        string range = string.Create(CultureInfo.InvariantCulture, $"{min}-{max}");
        if (bind.RemotePort is { } requested)
        {
            string subject = string.Create(CultureInfo.InvariantCulture, $"tcp://{_options.Domain}:{requested}");
            if (requested < min || requested > max)
            {
                return Refuse(session, bind, ErrorCodes.TcpPortUnavailable.WithMessage(string.Create(CultureInfo.InvariantCulture,
                    $"TCP port {requested} is not available: this edge gives TCP tunnels ports {range}.")), subject);
            }

            long pins = _pinned.Version;
            (ProtocolError? reserved, ReservedTcpAddress? reservation) = await _access.CheckPortAsync(session, requested, cancellationToken).ConfigureAwait(false);
            if (reserved is not null)
            {
                return Refuse(session, bind, reserved, subject);
            }

            (TrafficPolicy? pinned, ProtocolError? invalid) = _pinned.ForBind(reservation?.TrafficPolicy, bind.Proto, subject);
            if (invalid is not null)
            {
                return Refuse(session, bind, invalid, subject);
            }

            // Another node's tunnel on this port has it open here too; a pool member or a leg of that agent takes it over.
            bool yielded = _remotePorts?.Yield(subject, session, bind.Pooling) == true;
            try
            {
                if (TryBindPort(session, bind, options, policy, pinned, reservation?.TrafficPolicy, requested, tunnelId, out Pooling.PoolJoin conflict) is { } tunnel)
                {
                    return await AcceptPinnedAsync(session, bind, tunnel, pins, requested, cancellationToken).ConfigureAwait(false);
                }

                pinned?.Dispose();
                if (conflict is Pooling.PoolJoin.PoolingMismatch or Pooling.PoolJoin.OtherAccount || (conflict == Pooling.PoolJoin.Taken && bind.Pooling))
                {
                    return Refuse(session, bind, Conflict(conflict, subject, bind.Pooling), subject);
                }

                return Refuse(session, bind, ErrorCodes.TcpPortUnavailable.WithMessage(string.Create(CultureInfo.InvariantCulture,
                    $"TCP port {requested} is not available: another tunnel or program is using it.")), subject);
            }
            finally
            {
                // Bound here or refused: the port is this node's listener's now, or open again for the other node's tunnel.
                if (yielded)
                {
                    _remotePorts!.Resume(subject);
                }
            }
        }

        // Start at a random port so that ports freed a moment ago are not handed out again at once.
        HashSet<int> reservedPorts = await _access.ReservedPortsAsync(cancellationToken).ConfigureAwait(false);
        int count = max - min + 1;
        int start = Random.Shared.Next(count);
        for (int i = 0; i < count; i++)
        {
            int port = min + ((start + i) % count);
            if (!reservedPorts.Contains(port) && TryBindPort(session, bind, options, policy, null, null, port, tunnelId) is { } tunnel)
            {
                return await AcceptAsync(session, bind, tunnel, cancellationToken).ConfigureAwait(false);
            }
        }

        return Refuse(session, bind, ErrorCodes.TcpPortUnavailable.WithMessage($"No TCP port is free in this edge's range {range}."));
    }

    private Tunnel? TryBindPort(
        AgentSession session, BindMessage bind, ValidatedEndpointOptions options, TrafficPolicy? policy, TrafficPolicy? pinned, string? pinnedText, int port, string? tunnelId)
        => TryBindPort(session, bind, options, policy, pinned, pinnedText, port, tunnelId, out _);

    /// <summary>
    /// Binds the port for a new tcp tunnel, or, for a pooled bind of a port a pool of the account already listens on,
    /// adds the tunnel to that pool. <paramref name="conflict"/> says why not when a pool or owner is in the way.
    /// </summary>
    private Tunnel? TryBindPort(
        AgentSession session, BindMessage bind, ValidatedEndpointOptions options, TrafficPolicy? policy, TrafficPolicy? pinned, string? pinnedText, int port, string? tunnelId,
        out Pooling.PoolJoin conflict)
    {
        conflict = Pooling.PoolJoin.Added;
        string url = string.Create(CultureInfo.InvariantCulture, $"tcp://{_options.Domain}:{port}");
        if (_tunnels.IsTaken(url))
        {
            conflict = Pooling.PoolJoin.Taken;
            // Only an explicit port can join a pool: a random one is never shared.
            if (bind.RemotePort is null)
            {
                return null;
            }

            // Refused, the member never served: the caller disposes the policies it was given, as for any refusal.
            var member = new Tunnel(NewTunnelId(tunnelId), url, session, bind, options, _options) { AgentPolicy = policy };
            member.Pin(pinned, pinnedText);
            conflict = _tunnels.TryAdd(member, out _);
            return conflict == Pooling.PoolJoin.Added ? member : null;
        }

        if (TcpTunnelListener.TryBind(_options.TcpBindAddress, port, _tcpLogger, _time) is not { } listener)
        {
            return null;
        }

        var tunnel = new Tunnel(NewTunnelId(tunnelId), url, session, bind, options, _options) { TcpListener = listener, AgentPolicy = policy };
        tunnel.Pin(pinned, pinnedText);
        if (_tunnels.TryAdd(tunnel, out Pooling.TunnelPool? pool) != Pooling.PoolJoin.Added || pool is null)
        {
            listener.Dispose();
            return null;
        }

        listener.Start(pool, _remotePorts);
        return tunnel;
    }

    /// <summary>Why a bind may not serve a name that is served: the plain conflict, or pooling on one side only.</summary>
    private static ProtocolError Conflict(Pooling.PoolJoin join, string subject, bool pooling) => join switch
    {
        Pooling.PoolJoin.PoolingMismatch when pooling => ErrorCodes.PoolingNotEnabled.ToError(subject, "that agent bound it without --pooling-enabled"),
        Pooling.PoolJoin.PoolingMismatch => ErrorCodes.PoolingNotEnabled.ToError(subject, "the agents serving it pool it: this bind needs --pooling-enabled too"),
        _ => ErrorCodes.HostnameTaken.ToError(subject),
    };

    private static readonly System.Buffers.SearchValues<char> IdCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

    private string NewTunnelId(string? wanted) =>
        wanted is not null && wanted.StartsWith("tun_", StringComparison.Ordinal) && wanted.Length <= 64
            && wanted.AsSpan(4).ContainsAnyExcept(IdCharacters) == false && _tunnels.FindByConnectHost(Tunnel.ConnectHostFor(wanted)) is null
            ? wanted
            : NameGenerator.Id("tun_");

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

    /// <summary>
    /// Accepts a tunnel of a reserved name or port, once it is registered: if the operator changed the reservation's pin
    /// since the bind read it (<paramref name="pins"/> is the version then), what is stored now is pinned first, and a
    /// document that does not compile for this tunnel refuses the bind after all.
    /// </summary>
    private async Task<BindResultMessage> AcceptPinnedAsync(AgentSession session, BindMessage bind, Tunnel tunnel, long pins, int? port, CancellationToken cancellationToken)
    {
        if (_pinned.Version != pins)
        {
            ProtocolError? stale;
            try
            {
                stale = await _pinned.RefreshAsync(tunnel, port, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _tunnels.Remove(tunnel);
                throw;
            }

            if (stale is not null)
            {
                _tunnels.Remove(tunnel);
                return Refuse(session, bind, stale, tunnel.Hostname);
            }
        }

        return await AcceptAsync(session, bind, tunnel, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Accepts a registered tunnel; on a node of a cluster only once the cluster's routes table has it, so that the name
    /// has one owner across the nodes (a refusal there undoes the local registration).
    /// </summary>
    private async Task<BindResultMessage> AcceptAsync(AgentSession session, BindMessage bind, Tunnel tunnel, CancellationToken cancellationToken)
    {
        if (_routes is not null && await _routes.ClaimAsync(tunnel, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            _tunnels.Remove(tunnel);
            return Refuse(session, bind, refused, tunnel.Hostname);
        }

        return Accept(session, bind, tunnel);
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
        _audit.Write(new NewAuditEvent
        {
            Kind = AuditKinds.TunnelBound,
            AccountId = session.Credential.AccountId,
            AuthtokenId = session.Credential.AuthtokenId,
            SessionId = session.Id,
            Address = session.RemoteAddress,
            Subject = tunnel.Hostname,
            Detail = $"{tunnel.Proto} {tunnel.Id}",
        });
        return new BindResultMessage { RequestId = bind.RequestId, TunnelId = tunnel.Id, Urls = urls };
    }

    private BindResultMessage Refuse(AgentSession session, BindMessage bind, ProtocolError error, string? subject = null)
    {
        Log.BindRefused(_logger, error.Code, error.Message);
        _audit.Write(new NewAuditEvent
        {
            Kind = AuditKinds.TunnelRefused,
            AccountId = session.Credential.AccountId,
            AuthtokenId = session.Credential.AuthtokenId,
            SessionId = session.Id,
            Address = session.RemoteAddress,
            Subject = subject ?? (bind.Subdomain is { } sub ? $"{sub}.{_options.Domain}" : bind.Hostname),
            Detail = error.ToString(),
        });
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

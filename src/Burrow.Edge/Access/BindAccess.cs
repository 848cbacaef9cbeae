using System.Collections.Concurrent;
using Burrow.Edge.Agents;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Storage;

namespace Burrow.Edge.Access;

/// <summary>
/// What a session may bind, from its token's scopes and the accounts' reservations: the protocol,
/// the hostname or port, and how many tunnels the token holds at once. Every refusal has its own
/// error code. A store that cannot answer refuses the bind (ERR_BURROW_5003) rather than allowing it.
/// </summary>
internal sealed class BindAccess
{
    private readonly ControlPlane _plane;
    private readonly SessionRegistry _sessions;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _quotaGates = new(StringComparer.Ordinal);

    private readonly Cluster.ClusterRoutes? _routes;

    public BindAccess(ControlPlane plane, SessionRegistry sessions, Cluster.ClusterRoutes? routes = null)
    {
        _routes = routes;
        _plane = plane;
        _sessions = sessions;
    }

    public static ProtocolError? CheckProto(AgentSession session, string proto) =>
        proto switch
        {
            TunnelProtocols.Tcp when !session.Credential.Scopes.AllowTcp => ErrorCodes.TunnelProtoNotAllowed.ToError(proto),
            TunnelProtocols.Tls when !session.Credential.Scopes.AllowTls => ErrorCodes.TunnelProtoNotAllowed.ToError(proto),
            _ => null,
        };

    /// <summary>
    /// The gate binds of a token with a tunnel quota pass one at a time, so that its sessions
    /// cannot overshoot the quota together; <see langword="null"/> for tokens without one.
    /// </summary>
    public SemaphoreSlim? QuotaGate(AgentSession session) =>
        session.Credential is { AuthtokenId: { } id, Scopes.MaxTunnels: not null }
            ? _quotaGates.GetOrAdd(id, static _ => new SemaphoreSlim(1, 1))
            : null;

    /// <summary>Refuses when the token already holds its quota of tunnels (over all its sessions). Call inside <see cref="QuotaGate"/>.</summary>
    public ProtocolError? CheckTunnelQuota(AgentSession session)
    {
        if (session.Credential is not { AuthtokenId: { } id, Scopes.MaxTunnels: { } max })
        {
            return null;
        }

        // On a node of a cluster, the token's endpoints on the other nodes count too.
        int held = _sessions.OfAuthtoken(id).Sum(s => s.TunnelCount) + (_routes?.RemoteEndpointsOf(id) ?? 0);
        return held >= max ? ErrorCodes.TunnelQuotaReached.ToError(max) : null;
    }

    /// <summary>
    /// Whether the session may bind <paramref name="hostname"/>: not reserved for another account,
    /// and either reserved for its own or within its token's hostname scope. A name that is not a
    /// single label under the base domain (<paramref name="underBaseDomain"/> false) needs its own
    /// account's reservation or a scope pattern that matches it (an empty scope is not enough).
    /// Allowed, it also gives the account's reservation of the name (with the operator's pinned policy), if any.
    /// </summary>
    public async ValueTask<(ProtocolError? Error, ReservedDomain? Reservation)> CheckHostnameAsync(
        AgentSession session, string hostname, bool underBaseDomain, string baseDomain, CancellationToken cancellationToken)
    {
        ReservedDomain? reserved = null;
        if (_plane.Store is { } store)
        {
            try
            {
                reserved = await store.FindReservedDomainAsync(hostname, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreException)
            {
                return (ErrorCodes.StoreUnavailable.ToError("cannot check the hostname's reservation"), null);
            }
        }

        bool own = reserved is not null && string.Equals(reserved.AccountId, session.Credential.AccountId, StringComparison.Ordinal);
        if (reserved is not null && !own)
        {
            return (ErrorCodes.HostnameReserved.ToError(hostname), null);
        }

        if (own)
        {
            return (null, reserved);
        }

        return (CheckScope(session, hostname, underBaseDomain, baseDomain), null);
    }

    private static ProtocolError? CheckScope(AgentSession session, string hostname, bool underBaseDomain, string baseDomain)
    {
        IReadOnlyList<string> patterns = session.Credential.Scopes.Hostnames;
        if (underBaseDomain)
        {
            return HostnamePattern.AnyMatches(patterns, hostname, baseDomain)
                ? null
                : ErrorCodes.HostnameOutOfScope.ToError(hostname, string.Join(", ", patterns));
        }

        // A deeper name (app.alice.<domain>) or a custom one needs an explicit grant: a pattern
        // of the token's scope that names it, or a reservation of the account (above).
        if (patterns.Count > 0)
        {
            return patterns.Any(p => HostnamePattern.Matches(p, hostname, baseDomain))
                ? null
                : ErrorCodes.HostnameOutOfScope.ToError(hostname, string.Join(", ", patterns));
        }

        return ErrorCodes.HostnameNotAllowed.WithMessage(
            $"This authtoken may not bind hostname '{hostname}': this edge serves names of the form <name>.{baseDomain}; other names need a reservation for your account or a token scope that names them.");
    }

    /// <summary>
    /// Refuses a random name for a token whose scope lists hostnames: it must ask for one of them.
    /// </summary>
    public static ProtocolError? CheckRandomName(AgentSession session)
    {
        IReadOnlyList<string> patterns = session.Credential.Scopes.Hostnames;
        return patterns.Count == 0
            ? null
            : ErrorCodes.HostnameOutOfScope.WithMessage(
                $"This authtoken may bind only {string.Join(", ", patterns)}, so it gets no random name; ask for one of those (--subdomain or --url).");
    }

    /// <summary>Whether a random candidate name is reserved (by anyone), so it is not handed out.</summary>
    public async ValueTask<bool> IsReservedAsync(string hostname, CancellationToken cancellationToken) =>
        _plane.Store is { } store && await store.FindReservedDomainAsync(hostname, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Whether the session may bind the TCP port: not reserved for another account. Allowed, it also gives the account's reservation of it, if any.</summary>
    public async ValueTask<(ProtocolError? Error, ReservedTcpAddress? Reservation)> CheckPortAsync(AgentSession session, int port, CancellationToken cancellationToken)
    {
        if (_plane.Store is not { } store)
        {
            return (null, null);
        }

        try
        {
            ReservedTcpAddress? reserved = await store.FindReservedTcpAddressAsync(port, cancellationToken).ConfigureAwait(false);
            return reserved is not null && !string.Equals(reserved.AccountId, session.Credential.AccountId, StringComparison.Ordinal)
                ? (ErrorCodes.TcpPortReserved.ToError(port), null)
                : (null, reserved);
        }
        catch (StoreException)
        {
            return (ErrorCodes.StoreUnavailable.ToError("cannot check the port's reservation"), null);
        }
    }

    /// <summary>Every reserved port, which random port picks skip.</summary>
    public async ValueTask<HashSet<int>> ReservedPortsAsync(CancellationToken cancellationToken) =>
        _plane.Store is { } store
            ? [.. (await store.ListReservedTcpAddressesAsync(null, cancellationToken).ConfigureAwait(false)).Select(a => a.Port)]
            : [];
}

using System.Globalization;
using Burrow.Edge.Admin.Models;
using Burrow.Edge.Agents;
using Burrow.Edge.Routing;
using Burrow.Storage;

namespace Burrow.Edge.Admin;

/// <summary>From store and edge objects to the API's models.</summary>
internal static class AdminMapping
{
    public static AccountInfo ToInfo(this Account account) => new(account.Id, account.Name, account.CreatedAt);

    public static ScopesInfo ToInfo(this AuthtokenScopes scopes) =>
        new([.. scopes.Hostnames], scopes.AllowTcp, scopes.AllowTls, scopes.MaxTunnels, scopes.MaxSessions);

    public static AuthtokenScopes ToScopes(this ScopesInfo? scopes) => scopes is null
        ? AuthtokenScopes.Unrestricted
        : new AuthtokenScopes
        {
            Hostnames = [.. scopes.Hostnames ?? []],
            AllowTcp = scopes.AllowTcp ?? true,
            AllowTls = scopes.AllowTls ?? true,
            MaxTunnels = scopes.MaxTunnels,
            MaxSessions = scopes.MaxSessions,
        };

    public static AuthtokenInfo ToInfo(this Authtoken token) =>
        new(token.Id, token.AccountId, token.Name, token.Hint, token.Scopes.ToInfo(), token.CreatedAt, token.ExpiresAt, token.RevokedAt);

    public static ReservedDomainInfo ToInfo(this ReservedDomain domain) =>
        new(domain.Id, domain.AccountId, domain.Hostname, domain.Description, domain.CreatedAt, domain.TrafficPolicy);

    public static ReservedAddressInfo ToInfo(this ReservedTcpAddress address, string domain) =>
        new(address.Id, address.AccountId, address.Port, string.Create(CultureInfo.InvariantCulture, $"{domain}:{address.Port}"), address.Description, address.CreatedAt, address.TrafficPolicy);

    public static AuditEventInfo ToInfo(this AuditEvent e) =>
        new(e.Id, e.At, e.Kind, e.AccountId, e.AuthtokenId, e.SessionId, e.Address, e.Subject, e.Detail);

    public static TrafficInfo ToInfo(this TrafficCounters counters) =>
        new(counters.BytesIn, counters.BytesOut, counters.Requests, counters.Connections);

    public static SessionInfo ToInfo(this AgentSession session, DateTimeOffset now) => new(
        session.Id,
        session.Agent.Name,
        session.Agent.Version,
        session.Agent.Os,
        session.RemoteAddress,
        session.Link is not null,
        session.StartedAt,
        (long)Math.Max(0, (now - session.StartedAt).TotalSeconds),
        session.TunnelCount,
        session.Counters.ToInfo());

    public static TunnelInfo ToInfo(this Tunnel tunnel) => new(
        tunnel.Id, tunnel.Session.Id, tunnel.Name, tunnel.Proto, tunnel.Hostname, [.. tunnel.Urls], tunnel.ForwardsTo, tunnel.CreatedAt, tunnel.Counters.ToInfo())
    {
        Pooled = tunnel.Pooled,
        OutUntil = tunnel.Pooled ? tunnel.Health.OutUntil(tunnel.Session.Time.GetUtcNow()) : null,
    };
}

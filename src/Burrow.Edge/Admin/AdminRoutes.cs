using Burrow.Edge.Agents;
using Burrow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Admin;

/// <summary>
/// The admin API's routes under <c>/api/v1</c>, one partial file per resource. Handlers return
/// the models of <see cref="Models"/>; failures become JSON errors (see <see cref="AdminErrors"/>).
/// Every change is written to the audit log with the API key that made it.
/// </summary>
internal sealed partial class AdminRoutes
{
    private readonly Certificates.CertificateRevocation? _revocation;
    private readonly IControlStore _store;
    private readonly SessionRegistry _sessions;
    private readonly Routing.PinnedPolicies _pinned;
    private readonly Cluster.ClusterState _cluster;
    private readonly EdgeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public AdminRoutes(
        IControlStore store, SessionRegistry sessions, Routing.PinnedPolicies pinned, Cluster.ClusterState cluster, EdgeOptions options, TimeProvider time, ILogger<AdminRoutes> logger,
        Certificates.CertificateRevocation? revocation = null)
    {
        _revocation = revocation;
        _cluster = cluster;
        _store = store;
        _sessions = sessions;
        _pinned = pinned;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public void Map(IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder api = endpoints.MapGroup(AdminServer.ApiPrefix);
        MapAccounts(api.MapGroup("/accounts").WithTags("accounts"));
        MapAuthtokens(api.MapGroup("/authtokens").WithTags("authtokens"));
        MapReservedDomains(api.MapGroup("/reserved_domains").WithTags("reserved domains"));
        MapReservedAddresses(api.MapGroup("/reserved_addrs").WithTags("reserved TCP addresses"));
        MapSessions(api);
        MapTraffic(api);
        MapAudit(api.MapGroup("/audit_events").WithTags("audit"));
        MapCertificates(api);
        MapNodes(api);
        api.MapFallback((HttpContext context) => AdminErrors.NotFound("route", context.Request.Method + " " + context.Request.Path)).ExcludeFromDescription();
    }

    /// <summary>The account a request acts for: the one it names, else the API key's.</summary>
    private static string AccountFor(HttpContext context, string? requested) =>
        string.IsNullOrWhiteSpace(requested) ? AdminAuthentication.KeyOf(context).AccountId : requested.Trim();

    /// <summary>Appends an audit event for a change made through the API; a failure to record it is logged, not answered (the change is made).</summary>
    private async Task AuditAsync(HttpContext context, string kind, string? accountId, string? subject, string? authtokenId = null, string? sessionId = null)
    {
        try
        {
            await _store.AppendAuditEventAsync(new NewAuditEvent
            {
                Kind = kind,
                AccountId = accountId,
                AuthtokenId = authtokenId,
                SessionId = sessionId,
                Address = context.Connection.RemoteIpAddress?.ToString(),
                Subject = subject,
                Detail = "admin api key " + AdminAuthentication.KeyOf(context).Id,
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            Log.AuditFailed(_logger, kind, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1810, EventName = "AdminAuditFailed", Level = LogLevel.Warning, Message = "Could not record audit event {Kind}: {Reason}")]
        public static partial void AuditFailed(ILogger logger, string kind, string reason);

        [LoggerMessage(EventId = 1811, EventName = "AdminSessionClosed", Level = LogLevel.Information, Message = "Session {SessionId} closed through the admin API by key {ApiKeyId}")]
        public static partial void SessionClosed(ILogger logger, string sessionId, string apiKeyId);
    }
}

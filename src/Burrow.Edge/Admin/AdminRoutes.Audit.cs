using Burrow.Edge.Admin.Models;
using Burrow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Burrow.Edge.Admin;

internal sealed partial class AdminRoutes
{
    private void MapAudit(RouteGroupBuilder group)
    {
        group.MapGet("/", QueryAuditAsync).Produces<IReadOnlyList<AuditEventInfo>>().Produces<ErrorInfo>(StatusCodes.Status400BadRequest)
            .WithDescription("Audit events, newest first. Page backwards with before_id set to the smallest id of the last page.");
    }

    private async Task<IResult> QueryAuditAsync(
        [FromQuery(Name = "kind")] string? kind,
        [FromQuery(Name = "account_id")] string? accountId,
        [FromQuery(Name = "since")] DateTimeOffset? since,
        [FromQuery(Name = "until")] DateTimeOffset? until,
        [FromQuery(Name = "before_id")] long? beforeId,
        [FromQuery(Name = "limit")] int? limit,
        CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 10_000)
        {
            return AdminErrors.BadRequest("limit must be 1 to 10000");
        }

        IReadOnlyList<AuditEvent> events = await _store.QueryAuditEventsAsync(new AuditQuery
        {
            Kind = string.IsNullOrWhiteSpace(kind) ? null : kind,
            AccountId = string.IsNullOrWhiteSpace(accountId) ? null : accountId,
            Since = since,
            Until = until,
            BeforeId = beforeId,
            Limit = limit ?? 100,
        }, cancellationToken).ConfigureAwait(false);
        return Results.Json<IReadOnlyList<AuditEventInfo>>([.. events.Select(e => e.ToInfo())], AdminJsonContext.Default.IReadOnlyListAuditEventInfo);
    }
}

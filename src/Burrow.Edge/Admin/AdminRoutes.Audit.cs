using System.Globalization;
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
            .WithDescription("Audit events, newest first. Page backwards with before_id set to the smallest id of the last page.")
            // The build-time request delegate (EnableRequestDelegateGenerator, for Native AOT) answers a
            // query value that does not parse with a bare 400, ThrowOnBadRequest or not; it comes here
            // first, so the answer is the API's JSON error naming the value.
            .AddEndpointFilter(async (context, next) =>
                context.HttpContext.Response.StatusCode == StatusCodes.Status400BadRequest
                    ? BadAuditQuery(context.HttpContext.Request.Query)
                    : await next(context).ConfigureAwait(false));
    }

    private static IResult BadAuditQuery(IQueryCollection query)
    {
        foreach (string name in (string[])["since", "until"])
        {
            string? value = query[name];
            if (!string.IsNullOrEmpty(value) && !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out _))
            {
                return AdminErrors.BadRequest($"{name} must be a date and time such as 2026-01-31T12:00:00Z, not '{value}'");
            }
        }

        string? beforeId = query["before_id"];
        string? limit = query["limit"];
        return !string.IsNullOrEmpty(beforeId) && !long.TryParse(beforeId, CultureInfo.InvariantCulture, out _)
            ? AdminErrors.BadRequest($"before_id must be an integer, not '{beforeId}'")
            : !string.IsNullOrEmpty(limit) && !int.TryParse(limit, CultureInfo.InvariantCulture, out _)
                ? AdminErrors.BadRequest($"limit must be an integer, not '{limit}'")
                : AdminErrors.BadRequest("a query parameter is not valid");
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

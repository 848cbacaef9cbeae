using Burrow.Edge.Admin.Models;
using Burrow.Edge.Agents;
using Burrow.Protocol.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Burrow.Edge.Admin;

internal sealed partial class AdminRoutes
{
    private void MapSessions(RouteGroupBuilder api)
    {
        api.MapGet("/sessions", ListSessions).WithTags("sessions").Produces<IReadOnlyList<SessionInfo>>()
            .WithDescription("Live agent sessions: connected, or away within their resume grace.");
        api.MapGet("/sessions/{id}", GetSession).WithTags("sessions").Produces<SessionInfo>().Produces<ErrorInfo>(StatusCodes.Status404NotFound);
        api.MapDelete("/sessions/{id}", CloseSessionAsync).WithTags("sessions").Produces(StatusCodes.Status204NoContent).Produces<ErrorInfo>(StatusCodes.Status404NotFound)
            .WithDescription("Closes the session now: the agent is told (ERR_BURROW_8008), its connection closed and its tunnels released without a resume grace.");
        api.MapGet("/tunnels", ListTunnels).WithTags("tunnels").Produces<IReadOnlyList<TunnelInfo>>();
    }

    private IResult ListSessions()
    {
        DateTimeOffset now = _time.GetUtcNow();
        IReadOnlyList<SessionInfo> sessions = [.. _sessions.All.Where(s => !s.Expired).OrderBy(s => s.StartedAt).Select(s => s.ToInfo(now))];
        return Results.Json(sessions, AdminJsonContext.Default.IReadOnlyListSessionInfo);
    }

    private IResult GetSession(string id)
    {
        AgentSession? session = _sessions.Find(id);
        return session is null || session.Expired
            ? AdminErrors.NotFound("session", id)
            : Results.Json(session.ToInfo(_time.GetUtcNow()), AdminJsonContext.Default.SessionInfo);
    }

    private async Task<IResult> CloseSessionAsync(string id, HttpContext context, CancellationToken cancellationToken)
    {
        AgentSession? session = _sessions.Find(id);
        if (session is null || session.Expired)
        {
            return AdminErrors.NotFound("session", id);
        }

        // The registry tells the agent why, releases the tunnels at once and writes the session.closed audit event.
        await _sessions.CloseAsync(session, ErrorCodes.SessionClosedByAdmin.ToError(id), cancellationToken).ConfigureAwait(false);
        string keyId = AdminAuthentication.KeyOf(context).Id;
        Log.SessionClosed(_logger, id, keyId);
        return Results.NoContent();
    }

    private IResult ListTunnels([FromQuery(Name = "session_id")] string? sessionId)
    {
        IReadOnlyList<TunnelInfo> tunnels =
        [
            .. _sessions.All
                .Where(s => !s.Expired && (string.IsNullOrEmpty(sessionId) || s.Id == sessionId))
                .SelectMany(s => s.Tunnels)
                .OrderBy(t => t.CreatedAt)
                .Select(t => t.ToInfo()),
        ];
        return Results.Json(tunnels, AdminJsonContext.Default.IReadOnlyListTunnelInfo);
    }
}

using Burrow.Edge.Agents;
using Burrow.Edge.Routing;
using Burrow.Mux.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Burrow.Edge.Forwarding;

/// <summary>
/// What a failed forward means for a pooled URL: whether the member is to blame (taken out for the recheck interval),
/// and whether the request may go to another member. Only a request that no upstream can have seen is sent again: the
/// agent said it could not reach its upstream, or no proxy stream could be opened at all; and it has no body that the
/// first attempt may have consumed. A request that failed once bytes may have reached an upstream is never repeated.
/// </summary>
internal static class PoolRetry
{
    /// <summary>The member's upstream or agent failed (not the client, not the response).</summary>
    public static bool MemberFailed(Exception? exception, Tunnel tunnel, AgentLink? link) =>
        Find<UpstreamUnreachableException>(exception) is not null
        || Find<AgentUnavailableException>(exception) is not null
        || tunnel.Session.Link is null
        || link is null
        || link.IsClosed
        || Find<MuxException>(exception) is { Error: MuxError.SessionClosed or MuxError.RemoteGoingAway or MuxError.LocalGoingAway };

    /// <summary>Whether the request may be sent to another member: see the type's remarks.</summary>
    public static bool IsSafe(HttpContext context, Exception? exception) =>
        !context.Response.HasStarted
        && !context.RequestAborted.IsCancellationRequested
        && HasNoBody(context.Request)
        && (Find<UpstreamUnreachableException>(exception) is not null || Find<AgentUnavailableException>(exception) is not null);

    public static bool HasNoBody(HttpRequest request) =>
        request.ContentLength == 0
        || (request.ContentLength is null && request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false);

    /// <summary>The first exception of type <typeparamref name="T"/> in <paramref name="exception"/>'s inner chain.</summary>
    internal static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }
}

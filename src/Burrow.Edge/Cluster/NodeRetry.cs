using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Burrow.Edge.Cluster;

/// <summary>
/// Whether a request that another node did not answer may be sent to another node holding its name. It must have no
/// body (the first attempt may have consumed it) and no response may have begun; then either nothing of it left this
/// node (the link stream could not be opened), or its method is idempotent (RFC 9110 §9.2.2) and the node went away
/// under it — what nginx's <c>proxy_next_upstream error</c> does. A timeout is never retried: the owner node was
/// working on it, and its own page would have come back had it been alive.
/// </summary>
internal static class NodeRetry
{
    public static bool IsSafe(HttpContext context, ForwarderError error, Exception? exception)
    {
        if (error != ForwarderError.Request || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested
            || !Forwarding.PoolRetry.HasNoBody(context.Request) || Forwarding.PoolRetry.Find<TimeoutException>(exception) is not null
            || Forwarding.PoolRetry.Find<OperationCanceledException>(exception) is not null)
        {
            return false;
        }

        return NeverSent(exception) || (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            || HttpMethods.IsOptions(context.Request.Method) || HttpMethods.IsPut(context.Request.Method)
            || HttpMethods.IsDelete(context.Request.Method) || HttpMethods.IsTrace(context.Request.Method));
    }

    private static bool NeverSent(Exception? exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
            {
                return true;
            }
        }

        return false;
    }
}

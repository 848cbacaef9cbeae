using Burrow.Edge.Routing;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Forwarding;

/// <summary>
/// Adds the tunnel's <c>Strict-Transport-Security</c> (its <c>hsts_max_age</c> option) to a response served over HTTPS.
/// </summary>
/// <remarks>
/// Never over plain HTTP: RFC 6797 §7.2 has browsers ignore it there, and an attacker on the path could strip or forge
/// it anyway. Added when the response starts, so the edge's own answers (401 of basic auth, 403, 502...) carry it too,
/// and it replaces one the upstream sent: the tunnel's option is the one the person asked for.
/// </remarks>
internal static class HstsHeader
{
    public static void AddOnStart(HttpContext context, Tunnel tunnel)
    {
        if (tunnel.Options.StrictTransportSecurity is not { } value || !context.Request.IsHttps)
        {
            return;
        }

        context.Response.OnStarting(static state =>
        {
            var (response, header) = ((HttpResponse, string))state;
            response.Headers.StrictTransportSecurity = header;
            return Task.CompletedTask;
        }, (context.Response, value));
    }
}

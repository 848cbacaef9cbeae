using Burrow.Edge.Telemetry;
using Burrow.Protocol.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Burrow.Edge.Policy.Identity;

/// <summary>
/// The error answers of the identity actions: the edge's usual error page (HTML, JSON or text by
/// Accept, code in <c>Burrow-Error-Code</c>), plus the <c>WWW-Authenticate: Bearer</c> challenge
/// RFC 6750 asks of a resource server refusing a bearer token.
/// </summary>
internal static class IdentityAnswers
{
    public static async Task<IdentityOutcome> RefuseAsync(HttpContext context, ErrorCode code, string message, string? bearerChallenge = null)
    {
        HttpResponse response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return IdentityOutcome.Refused(code.Code);
        }

        response.Clear();
        context.RequestServices?.GetService<EdgeMetrics>()?.ErrorAnswered(code);
        int status = code.HttpStatus ?? 500;
        response.StatusCode = status;
        response.Headers[ErrorPage.CodeHeader] = code.Code;
        response.Headers.CacheControl = "no-store";
        if (bearerChallenge is not null)
        {
            response.Headers.WWWAuthenticate = bearerChallenge;
        }

        if (!HttpMethods.IsHead(context.Request.Method))
        {
            (string contentType, string body) = ErrorPage.Render(code, status, message, context.Request.Headers.Accept.ToString());
            response.ContentType = contentType;
            await response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }

        return IdentityOutcome.Refused(code.Code);
    }

    /// <summary>The challenge for a refused token; the description is quoted with its quotes and backslashes dropped (RFC 6750 3 forbids them).</summary>
    public static string InvalidTokenChallenge(string reason) =>
        $"Bearer realm=\"burrow\", error=\"invalid_token\", error_description=\"{new string(reason.Where(c => c is >= ' ' and <= '~' and not '"' and not '\\').ToArray())}\"";

    /// <summary>The challenge for a request without a token: RFC 6750 3.1 says no error code then.</summary>
    public const string MissingTokenChallenge = "Bearer realm=\"burrow\"";
}

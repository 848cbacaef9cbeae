using Burrow.Protocol.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Burrow.Edge.Errors;

/// <summary>
/// Writes the edge's own error answers: an HTML page for browsers, JSON for clients that ask for
/// it, plain text otherwise (rendered by <see cref="ErrorPage"/>, as the agent's are); always with
/// the stable code in <c>Burrow-Error-Code</c>.
/// </summary>
internal static class ErrorResponder
{
    public const string CodeHeader = ErrorPage.CodeHeader;

    public static Task WriteAsync(HttpContext context, ErrorCode code, string message) => WriteAsync(context, code, message, code.HttpStatus ?? 500);

    /// <summary>Answers with <paramref name="status"/> instead of the code's own (a policy's deny with its status_code).</summary>
    /// <param name="context">The request to answer.</param>
    /// <param name="code">The catalog entry.</param>
    /// <param name="message">The message, already formatted.</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="headers">Sets headers the answer needs (Retry-After, WWW-Authenticate with a realm), after the response is cleared.</param>
    public static Task WriteAsync(HttpContext context, ErrorCode code, string message, int status, Action<HttpResponse>? headers = null)
    {
        HttpResponse response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return Task.CompletedTask;
        }

        response.Clear();
        // Only error answers look the instruments up; a normal request never comes here.
        context.RequestServices?.GetService<Telemetry.EdgeMetrics>()?.ErrorAnswered(code);
        response.StatusCode = status;
        response.Headers[CodeHeader] = code.Code;
        response.Headers.CacheControl = "no-store";
        if (status == 401 && code == ErrorCodes.BasicAuthRequired)
        {
            response.Headers.WWWAuthenticate = "Basic realm=\"burrow\", charset=\"UTF-8\"";
        }

        headers?.Invoke(response);

        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }

        (string contentType, string body) = ErrorPage.Render(code, status, message, context.Request.Headers.Accept.ToString());
        response.ContentType = contentType;
        return response.WriteAsync(body);
    }
}

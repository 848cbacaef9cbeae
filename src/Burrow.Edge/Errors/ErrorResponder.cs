using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using Burrow.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Burrow.Edge.Errors;

/// <summary>
/// Writes the edge's own error answers: an HTML page for browsers, JSON for clients that ask for
/// it, plain text otherwise; always with the stable code in <c>Burrow-Error-Code</c>.
/// </summary>
internal static class ErrorResponder
{
    public const string CodeHeader = "Burrow-Error-Code";

    public static Task WriteAsync(HttpContext context, ErrorCode code, string message)
    {
        HttpResponse response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return Task.CompletedTask;
        }

        response.Clear();
        int status = code.HttpStatus ?? 500;
        response.StatusCode = status;
        response.Headers[CodeHeader] = code.Code;
        response.Headers.CacheControl = "no-store";
        if (status == 401 && code == ErrorCodes.BasicAuthRequired)
        {
            response.Headers.WWWAuthenticate = "Basic realm=\"burrow\", charset=\"UTF-8\"";
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }

        string accept = context.Request.Headers.Accept.ToString();
        if (accept.Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            response.ContentType = "text/html; charset=utf-8";
            return response.WriteAsync(Html(code, status, message));
        }

        if (accept.Contains("application/json", StringComparison.OrdinalIgnoreCase))
        {
            response.ContentType = "application/json; charset=utf-8";
            return response.WriteAsync(Json(code, status, message));
        }

        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync($"{code.Code}: {message}\n{code.Hint}\n");
    }

    private static string Json(ErrorCode code, int status, string message)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("error_code", code.Code);
            json.WriteNumber("status_code", status);
            json.WriteString("message", message);
            json.WriteString("hint", code.Hint);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static string Html(ErrorCode code, int status, string message)
    {
        HtmlEncoder e = HtmlEncoder.Default;
        string reason = ReasonPhrase(status);
        return string.Create(CultureInfo.InvariantCulture, $$"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{status}} {{e.Encode(reason)}} · Burrow</title>
            <style>
            body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
            main{max-width:40rem;margin:12vh auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002}
            h1{font-size:1.4rem;margin:0 0 .5rem} code{background:#eef;padding:.1rem .3rem;border-radius:4px}
            .hint{color:#455} .status{color:#889;font-size:.9rem}
            </style>
            </head>
            <body>
            <main>
            <p class="status">{{status}} {{e.Encode(reason)}}</p>
            <h1>{{e.Encode(message)}}</h1>
            <p class="hint">{{e.Encode(code.Hint)}}</p>
            <p class="status">Error <code>{{e.Encode(code.Code)}}</code> ({{e.Encode(code.Name)}}), served by Burrow.</p>
            </main>
            </body>
            </html>

            """);
    }

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase
            ? phrase
            : ((HttpStatusCode)status).ToString();
}

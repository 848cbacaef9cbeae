using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Burrow.Protocol.Errors;

/// <summary>
/// The body a public client gets for an error, whoever answers: an HTML page for browsers, JSON for
/// clients that ask for it, plain text otherwise, each with the stable code. The edge answers most
/// errors, but the agent's inspector answers an upstream it cannot reach on a reused stream; both
/// render here so that a person sees one page, not two.
/// </summary>
public static class ErrorPage
{
    /// <summary>The response header that carries the code, for example <c>Burrow-Error-Code: ERR_BURROW_3002</c>.</summary>
    public const string CodeHeader = "Burrow-Error-Code";

    /// <summary>Picks the body's form from the request's <c>Accept</c> header and renders it.</summary>
    /// <param name="code">The error.</param>
    /// <param name="status">The HTTP status sent with it.</param>
    /// <param name="message">The filled message.</param>
    /// <param name="accept">The request's Accept header, or <see langword="null"/>.</param>
    /// <returns>The Content-Type and the body.</returns>
    public static (string ContentType, string Body) Render(ErrorCode code, int status, string message, string? accept)
    {
        ArgumentNullException.ThrowIfNull(code);
        accept ??= "";
        if (accept.Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            return ("text/html; charset=utf-8", Html(code, status, message));
        }

        if (accept.Contains("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return ("application/json; charset=utf-8", Json(code, status, message));
        }

        return ("text/plain; charset=utf-8", $"{code.Code}: {message}\n{code.Hint}\n");
    }

    /// <summary>The standard reason phrase of the statuses Burrow answers with.</summary>
    /// <param name="status">An HTTP status.</param>
    /// <returns>For example <c>Bad Gateway</c>; <c>Error</c> for a status not in the list.</returns>
    public static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };

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
}

using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Burrow.Agent.Inspection;

namespace Burrow.Agent.Web;

/// <summary>
/// The body of <c>POST /api/requests/http</c>: ngrok's <c>{id, tunnel_name}</c>, plus Burrow's optional
/// edits (<c>method</c>, <c>uri</c>, <c>headers</c> as <c>{"Name": ["value"]}</c>, <c>body</c> or <c>body_base64</c>).
/// </summary>
internal sealed record ReplayRequest(string Id, string? TunnelName, ReplayEdits? Edits)
{
    public static bool TryParse(JsonObject body, [NotNullWhen(true)] out ReplayRequest? request, [NotNullWhen(false)] out string? problem)
    {
        request = null;
        if (Text(body, "id") is not { Length: > 0 } id)
        {
            problem = "'id' is required";
            return false;
        }

        string? method = Text(body, "method");
        if (method is not null && (method.Length == 0 || !method.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            problem = $"'method' {method} is not an HTTP method";
            return false;
        }

        string? uri = Text(body, "uri") ?? Text(body, "path");
        if (uri is not null && (uri.Any(char.IsControl) || uri.Contains(' ', StringComparison.Ordinal)))
        {
            problem = "'uri' must be a path and query without spaces";
            return false;
        }

        List<KeyValuePair<string, string>>? headers = null;
        if (body["headers"] is JsonObject h)
        {
            headers = [];
            foreach (var (name, value) in h)
            {
                if (name.Length == 0 || name.Any(c => c <= ' ' || c == ':' || c >= 127))
                {
                    problem = $"header name '{name}' is not valid";
                    return false;
                }

                IEnumerable<string> values = value switch
                {
                    JsonArray a => a.Select(x => x?.ToString() ?? ""),
                    null => [],
                    _ => [value.ToString()],
                };
                foreach (string one in values)
                {
                    if (one.Any(c => c is '\r' or '\n'))
                    {
                        problem = $"header '{name}' has a line break";
                        return false;
                    }

                    headers.Add(new(name, one));
                }
            }
        }
        else if (body["headers"] is not null)
        {
            problem = "'headers' must be an object of name: [values]";
            return false;
        }

        byte[]? content = null;
        if (Text(body, "body_base64") is { } b64)
        {
            try
            {
                content = Convert.FromBase64String(b64);
            }
            catch (FormatException)
            {
                problem = "'body_base64' is not base64";
                return false;
            }
        }
        else if (Text(body, "body") is { } text)
        {
            content = Encoding.UTF8.GetBytes(text);
        }

        ReplayEdits? edits = method is null && uri is null && headers is null && content is null ? null : new ReplayEdits(method?.ToUpperInvariant(), uri, headers, content);
        request = new ReplayRequest(id, Text(body, "tunnel_name") is { Length: > 0 } t ? t : null, edits);
        problem = null;
        return true;
    }

    private static string? Text(JsonObject body, string key) =>
        body[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}

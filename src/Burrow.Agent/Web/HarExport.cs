using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Burrow.Agent.Inspection;

namespace Burrow.Agent.Web;

/// <summary>Captured requests as an HTTP Archive (HAR 1.2), which browsers' dev tools and many other tools import.</summary>
internal static class HarExport
{
    public static JsonObject Build(IEnumerable<CapturedExchange> exchanges)
    {
        var entries = new JsonArray();
        foreach (CapturedExchange e in exchanges)
        {
            entries.Add((JsonNode)Entry(e));
        }

        return new JsonObject
        {
            ["log"] = new JsonObject
            {
                ["version"] = "1.2",
                ["creator"] = new JsonObject { ["name"] = "burrow", ["version"] = AgentRunner.Version },
                ["entries"] = entries,
            },
        };
    }

    private static JsonObject Entry(CapturedExchange e)
    {
        string host = e.Request.Header("Host") ?? "localhost";
        string url = $"https://{host}{e.Uri}";
        double total = e.Duration.TotalMilliseconds;
        double wait = e.HeadersAfter?.TotalMilliseconds ?? total;
        var request = new JsonObject
        {
            ["method"] = e.Method,
            ["url"] = url,
            ["httpVersion"] = e.Request.Proto,
            ["cookies"] = new JsonArray(),
            ["headers"] = Headers(e.Request.Headers),
            ["queryString"] = Query(e.Uri),
            ["headersSize"] = -1,
            ["bodySize"] = e.Request.Body.Length,
        };
        if (e.Request.Body.Length > 0)
        {
            request["postData"] = new JsonObject
            {
                ["mimeType"] = e.Request.Header("Content-Type") ?? "",
                ["text"] = Encoding.UTF8.GetString(e.Request.Body.Kept.Span),
            };
        }

        var content = new JsonObject
        {
            ["size"] = e.Response?.Body.Length ?? 0,
            ["mimeType"] = e.Response?.Header("Content-Type") ?? "",
        };
        if (e.Response is { Body.Kept.Length: > 0 } r)
        {
            content["text"] = Convert.ToBase64String(r.Body.Kept.Span);
            content["encoding"] = "base64";
        }

        if (e.Response?.Body.Truncated == true || e.Request.Body.Truncated)
        {
            content["comment"] = "body cut by the inspector's per-request limit";
        }

        return new JsonObject
        {
            ["startedDateTime"] = e.Start.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture),
            ["time"] = total,
            ["request"] = request,
            ["response"] = new JsonObject
            {
                ["status"] = e.StatusCode,
                ["statusText"] = e.ReasonPhrase,
                ["httpVersion"] = e.Response?.Proto ?? e.Request.Proto,
                ["cookies"] = new JsonArray(),
                ["headers"] = e.Response is null ? new JsonArray() : Headers(e.Response.Headers),
                ["content"] = content,
                ["redirectURL"] = e.Response?.Header("Location") ?? "",
                ["headersSize"] = -1,
                ["bodySize"] = e.Response?.Body.Length ?? -1,
            },
            ["cache"] = new JsonObject(),
            ["timings"] = new JsonObject
            {
                ["send"] = 0,
                ["wait"] = wait,
                ["receive"] = Math.Max(0, total - wait),
            },
            ["comment"] = e.Replay ? $"replay of {e.ReplayOf}" : "",
        };
    }

    private static JsonArray Headers(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var array = new JsonArray();
        foreach (var (name, value) in headers)
        {
            array.Add((JsonNode)new JsonObject { ["name"] = name, ["value"] = value });
        }

        return array;
    }

    private static JsonArray Query(string uri)
    {
        var array = new JsonArray();
        int q = uri.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
        {
            return array;
        }

        foreach (string pair in uri[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            array.Add((JsonNode)new JsonObject
            {
                ["name"] = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]),
                ["value"] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]),
            });
        }

        return array;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Burrow.Agent.Inspection;
using Burrow.Agent.Metrics;
using Burrow.Agent.Status;
using Burrow.Protocol.Errors;

namespace Burrow.Agent.Web;

/// <summary>
/// The agent API's objects, field for field as ngrok's agent API names them (so scripts written for
/// ngrok read them unchanged), plus a few of Burrow's own, which ngrok's clients ignore.
/// </summary>
internal static class ApiJson
{
    public static JsonObject Tunnel(TunnelStatus tunnel, string? tunnelId)
    {
        string? publicUrl = tunnel.PublicUrls.FirstOrDefault(u => u.StartsWith("https://", StringComparison.Ordinal)) ?? (tunnel.PublicUrls.Count > 0 ? tunnel.PublicUrls[0] : null);
        string proto = publicUrl is null ? tunnel.Proto : publicUrl[..publicUrl.IndexOf(':', StringComparison.Ordinal)];
        return new JsonObject
        {
            ["ID"] = tunnelId ?? "",
            ["name"] = tunnel.Name,
            ["uri"] = "/api/tunnels/" + Uri.EscapeDataString(tunnel.Name),
            ["public_url"] = publicUrl ?? "",
            ["public_urls"] = new JsonArray([.. tunnel.PublicUrls.Select(u => (JsonNode?)JsonValue.Create(u))]),
            ["proto"] = proto,
            ["config"] = new JsonObject { ["addr"] = tunnel.Upstream, ["inspect"] = tunnel.Inspect, ["pooling_enabled"] = tunnel.Pooling },
            ["metrics"] = new JsonObject
            {
                ["conns"] = Metrics(tunnel.Connections, withGauge: true),
                ["http"] = Metrics(tunnel.Requests, withGauge: false),
            },
        };
    }

    public static JsonObject Metrics(MetricsSnapshot m, bool withGauge)
    {
        var o = new JsonObject { ["count"] = m.Count };
        if (withGauge)
        {
            o["gauge"] = m.Gauge;
        }

        o["rate1"] = m.Rate1;
        o["rate5"] = m.Rate5;
        o["rate15"] = m.Rate15;
        // Durations in nanoseconds, as ngrok reports them.
        o["p50"] = Nanoseconds(m.P50);
        o["p90"] = Nanoseconds(m.P90);
        o["p95"] = Nanoseconds(m.P95);
        o["p99"] = Nanoseconds(m.P99);
        return o;
    }

    public static JsonObject Request(CapturedExchange e, bool withRaw)
    {
        var request = new JsonObject
        {
            ["method"] = e.Method,
            ["proto"] = e.Request.Proto,
            ["headers"] = Headers(e.Request.Headers),
            ["uri"] = e.Uri,
            ["body_size"] = e.Request.Body.Length,
            ["body_truncated"] = e.Request.Body.Truncated,
        };
        if (withRaw)
        {
            request["raw"] = Convert.ToBase64String(Raw($"{e.Method} {e.Uri} {e.Request.Proto}", e.Request));
        }

        JsonObject? response = null;
        if (e.Response is { } r)
        {
            response = new JsonObject
            {
                ["status"] = $"{e.StatusCode} {e.ReasonPhrase}".TrimEnd(),
                ["status_code"] = e.StatusCode,
                ["proto"] = r.Proto,
                ["headers"] = Headers(r.Headers),
                ["body_size"] = r.Body.Length,
                ["body_truncated"] = r.Body.Truncated,
            };
            if (withRaw)
            {
                response["raw"] = Convert.ToBase64String(Raw($"{r.Proto} {e.StatusCode} {e.ReasonPhrase}".TrimEnd(), r));
            }
        }

        return new JsonObject
        {
            ["uri"] = "/api/requests/http/" + e.Id,
            ["id"] = e.Id,
            ["tunnel_name"] = e.TunnelName,
            ["remote_addr"] = e.RemoteAddr,
            ["start"] = e.Start.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture),
            ["duration"] = Nanoseconds(e.Duration),
            ["request"] = request,
            ["response"] = response,
            ["replay"] = e.Replay,
            ["replay_of"] = e.ReplayOf,
            ["upgraded"] = e.Upgraded,
            ["error"] = e.Error,
            ["timings"] = new JsonObject
            {
                ["headers"] = e.HeadersAfter is { } h ? Nanoseconds(h) : null,
                ["total"] = Nanoseconds(e.Duration),
            },
        };
    }

    public static JsonObject Error(ErrorCode code, ProtocolError error) => new()
    {
        ["error_code"] = code.Number,
        ["status_code"] = code.HttpStatus ?? 500,
        ["msg"] = error.Message,
        ["details"] = new JsonObject { ["err"] = error.ToString() },
    };

    /// <summary>Header names in Go's canonical form (<c>Content-Type</c>), grouped, as ngrok's API shows them.</summary>
    public static JsonObject Headers(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var o = new JsonObject();
        foreach (var (name, value) in headers)
        {
            string key = Canonical(name);
            if (o[key] is JsonArray values)
            {
                // As a JsonNode: the generic Add<T> (picked for a JsonValue) is not AOT-safe.
                values.Add((JsonNode?)JsonValue.Create(value));
            }
            else
            {
                o[key] = new JsonArray(value);
            }
        }

        return o;
    }

    public static string Canonical(string name)
    {
        var sb = new StringBuilder(name.Length);
        bool upper = true;
        foreach (char c in name)
        {
            sb.Append(upper ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            upper = c == '-';
        }

        return sb.ToString();
    }

    private static long Nanoseconds(TimeSpan t) => t.Ticks * 100;

    // The message as it went by: its raw head (or one written from the parsed parts) and the kept body.
    private static byte[] Raw(string startLine, CapturedMessage message)
    {
        if (!message.RawHead.IsEmpty)
        {
            return [.. message.RawHead.Span, .. message.Body.Kept.Span];
        }

        var head = new StringBuilder(startLine).Append("\r\n");
        foreach (var (name, value) in message.Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        byte[] headBytes = Encoding.UTF8.GetBytes(head.ToString());
        byte[] raw = new byte[headBytes.Length + message.Body.Kept.Length];
        headBytes.CopyTo(raw, 0);
        message.Body.Kept.Span.CopyTo(raw.AsSpan(headBytes.Length));
        return raw;
    }
}

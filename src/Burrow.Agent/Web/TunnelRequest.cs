using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using Burrow.Agent.Tunnels;
using Burrow.Protocol.Messages;

namespace Burrow.Agent.Web;

/// <summary>The body of <c>POST /api/tunnels</c>: ngrok's config-v2 tunnel keys (<c>name</c>, <c>proto</c>, <c>addr</c>, <c>inspect</c>, <c>subdomain</c>, <c>hostname</c>/<c>domain</c>, <c>basic_auth</c>).</summary>
internal static class TunnelRequest
{
    public static bool TryParse(JsonObject body, [NotNullWhen(true)] out TunnelDefinition? definition, [NotNullWhen(false)] out string? problem)
    {
        definition = null;
        string? name = Text(body, "name");
        string proto = (Text(body, "proto") ?? "http").ToLowerInvariant();
        string? addr = body["addr"] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.ToString() : Text(body, "addr");
        if (string.IsNullOrWhiteSpace(name))
        {
            problem = "'name' is required";
            return false;
        }

        if (string.IsNullOrWhiteSpace(addr))
        {
            problem = "'addr' is required (a port, host:port or URL)";
            return false;
        }

        UpstreamTarget? upstream;
        string? error;
        switch (proto)
        {
            case "http" or "https":
                proto = TunnelProtocols.Http;
                if (!UpstreamTarget.TryParse(addr, out upstream, out error))
                {
                    problem = error;
                    return false;
                }

                if (upstream.Scheme == "file")
                {
                    problem = "file:// upstreams can be started from the command line only";
                    return false;
                }

                break;
            case "tcp" or "tls":
                if (!UpstreamTarget.TryParseTcp(addr, out upstream, out error))
                {
                    problem = error;
                    return false;
                }

                break;
            default:
                problem = $"'proto' {proto} is not http, tcp or tls";
                return false;
        }

        bool inspect = proto == TunnelProtocols.Http && (body["inspect"] is not JsonValue i || i.GetValueKind() != JsonValueKind.False);
        string? hostname = Text(body, "hostname") ?? Text(body, "domain");
        string? subdomain = Text(body, "subdomain");
        string[] basicAuth = body["basic_auth"] switch
        {
            JsonArray a => [.. a.Select(x => x?.ToString() ?? "")],
            JsonValue s when s.GetValueKind() == JsonValueKind.String => [s.ToString()],
            _ => [],
        };
        definition = new TunnelDefinition
        {
            Name = name,
            Proto = proto,
            Upstream = upstream,
            Hostname = hostname,
            Subdomain = subdomain,
            Options = new EndpointOptions(inspect) { BasicAuth = basicAuth },
        };
        problem = null;
        return true;
    }

    private static string? Text(JsonObject body, string key) =>
        body[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}

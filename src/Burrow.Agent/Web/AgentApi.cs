using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Burrow.Agent.Inspection;
using Burrow.Agent.Session;
using Burrow.Agent.Status;
using Burrow.Agent.Tunnels;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Burrow.Agent.Web;

/// <summary>
/// The agent API, shaped after ngrok's (<c>/api/tunnels</c>, <c>/api/requests/http</c>, <c>/api/status</c>)
/// so scripts written for ngrok work unchanged, and the inspector page with its live event stream.
/// </summary>
internal sealed partial class AgentApi
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 1000;
    private static readonly TimeSpan ReplayTimeout = TimeSpan.FromSeconds(60);
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly AgentRunner _runner;

    public AgentApi(AgentRunner runner)
    {
        _runner = runner;
    }

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api", ctx => WriteJsonAsync(ctx, 200, new JsonObject
        {
            ["tunnels"] = "/api/tunnels",
            ["requests"] = "/api/requests/http",
            ["status"] = "/api/status",
        }));
        app.MapGet("/api/tunnels", ListTunnelsAsync);
        app.MapPost("/api/tunnels", StartTunnelAsync);
        app.MapGet("/api/tunnels/{name}", GetTunnelAsync);
        app.MapDelete("/api/tunnels/{name}", StopTunnelAsync);
        app.MapGet("/api/requests/http", ListRequestsAsync);
        app.MapPost("/api/requests/http", ReplayAsync);
        app.MapDelete("/api/requests/http", ClearRequests);
        app.MapGet("/api/requests/http/{id}", GetRequestAsync);
        app.MapGet("/api/status", StatusAsync);
        MapInspector(app);
        app.MapFallback(ctx => WriteErrorAsync(ctx, ErrorCodes.ApiNotFound, ErrorCodes.ApiNotFound.ToError($"{ctx.Request.Method} {ctx.Request.Path}")));
    }

    internal static Task WriteErrorAsync(HttpContext context, ErrorCode code, ProtocolError error) =>
        WriteJsonAsync(context, code.HttpStatus ?? 500, ApiJson.Error(code, error));

    internal static async Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(body.ToJsonString(Json), context.RequestAborted).ConfigureAwait(false);
    }

    private Task ListTunnelsAsync(HttpContext context)
    {
        var tunnels = new JsonArray();
        foreach (TunnelStatus tunnel in _runner.GetStatus().Tunnels)
        {
            tunnels.Add((JsonNode)ApiJson.Tunnel(tunnel, _runner.FindTunnel(tunnel.Name)?.TunnelId));
        }

        return WriteJsonAsync(context, 200, new JsonObject { ["tunnels"] = tunnels, ["uri"] = "/api/tunnels" });
    }

    private Task GetTunnelAsync(HttpContext context)
    {
        string name = (string)context.Request.RouteValues["name"]!;
        TunnelStatus? tunnel = _runner.GetStatus().Tunnels.FirstOrDefault(t => t.Name == name);
        return tunnel is null
            ? WriteErrorAsync(context, ErrorCodes.ApiNotFound, ErrorCodes.ApiNotFound.ToError($"Tunnel '{name}'"))
            : WriteJsonAsync(context, 200, ApiJson.Tunnel(tunnel, _runner.FindTunnel(name)?.TunnelId));
    }

    /// <summary>ngrok's words for "no session yet" (see <see cref="StartTunnelAsync"/>).</summary>
    internal const string NotYetEstablished = "a successful ngrok tunnel session has not yet been established";

    private async Task StartTunnelAsync(HttpContext context)
    {
        JsonObject? body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        if (!TunnelRequest.TryParse(body, out TunnelDefinition? definition, out string? problem))
        {
            await WriteErrorAsync(context, ErrorCodes.ApiBadRequest, ErrorCodes.ApiBadRequest.ToError(problem)).ConfigureAwait(false);
            return;
        }

        (TunnelStatus? tunnel, ProtocolError? error) = await _runner.StartTunnelAsync(definition, context.RequestAborted).ConfigureAwait(false);
        if (tunnel is null)
        {
            ErrorCode code = error!.Lookup() ?? ErrorCodes.TunnelStartFailed;
            JsonObject answer = ApiJson.Error(code, error);
            if (code == ErrorCodes.AgentOffline)
            {
                // ngrok's agent answers a tunnel asked for before its session is up with this text, and the tools that
                // drive it (the npm ngrok package) retry on exactly it; msg and error_code stay Burrow's.
                answer["details"]!["err"] = NotYetEstablished;
            }

            await WriteJsonAsync(context, code.HttpStatus ?? 500, answer).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, 201, ApiJson.Tunnel(tunnel, _runner.FindTunnel(tunnel.Name)?.TunnelId)).ConfigureAwait(false);
    }

    private async Task StopTunnelAsync(HttpContext context)
    {
        string name = (string)context.Request.RouteValues["name"]!;
        if (!await _runner.StopTunnelAsync(name, context.RequestAborted).ConfigureAwait(false))
        {
            await WriteErrorAsync(context, ErrorCodes.ApiNotFound, ErrorCodes.ApiNotFound.ToError($"Tunnel '{name}'")).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = 204;
    }

    private Task ListRequestsAsync(HttpContext context)
    {
        int limit = DefaultLimit;
        string? limitText = context.Request.Query["limit"];
        if (limitText is not null && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
        {
            return WriteErrorAsync(context, ErrorCodes.ApiBadRequest, ErrorCodes.ApiBadRequest.ToError($"limit '{limitText}' is not a positive whole number"));
        }

        string? tunnelName = context.Request.Query["tunnel_name"];
        var requests = new JsonArray();
        foreach (CapturedExchange exchange in _runner.Captures?.List(Math.Min(limit, MaxLimit), string.IsNullOrEmpty(tunnelName) ? null : tunnelName) ?? [])
        {
            requests.Add((JsonNode)ApiJson.Request(exchange, withRaw: true));
        }

        return WriteJsonAsync(context, 200, new JsonObject { ["uri"] = "/api/requests/http", ["requests"] = requests });
    }

    private Task GetRequestAsync(HttpContext context)
    {
        string id = (string)context.Request.RouteValues["id"]!;
        return _runner.Captures?.Get(id) is { } exchange
            ? WriteJsonAsync(context, 200, ApiJson.Request(exchange, withRaw: true))
            : WriteErrorAsync(context, ErrorCodes.ApiNotFound, ErrorCodes.ApiNotFound.ToError($"Request '{id}'"));
    }

    private Task ClearRequests(HttpContext context)
    {
        _runner.Captures?.Clear();
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private async Task ReplayAsync(HttpContext context)
    {
        JsonObject? body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        if (!ReplayRequest.TryParse(body, out ReplayRequest? replay, out string? problem))
        {
            await WriteErrorAsync(context, ErrorCodes.ApiBadRequest, ErrorCodes.ApiBadRequest.ToError(problem)).ConfigureAwait(false);
            return;
        }

        if (_runner.Captures?.Get(replay.Id) is not { } original || _runner.Inspector is not { } inspector)
        {
            await WriteErrorAsync(context, ErrorCodes.ApiNotFound, ErrorCodes.ApiNotFound.ToError($"Request '{replay.Id}'")).ConfigureAwait(false);
            return;
        }

        string tunnelName = replay.TunnelName ?? original.TunnelName;
        if (_runner.FindTunnel(tunnelName) is not { } tunnel || tunnel.Definition.Proto != TunnelProtocols.Http)
        {
            await WriteErrorAsync(context, ErrorCodes.ApiNotFound, ErrorCodes.ApiNotFound.ToError($"HTTP tunnel '{tunnelName}'")).ConfigureAwait(false);
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(ReplayTimeout);
        string? replayed;
        ProtocolError? error;
        try
        {
            (replayed, error) = await inspector.ReplayAsync(original, tunnel, replay.Edits, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            (replayed, error) = (null, ErrorCodes.ReplayFailed.ToError(original.Id, $"no answer within {ReplayTimeout.TotalSeconds:0} s"));
        }

        if (replayed is null)
        {
            await WriteErrorAsync(context, error!.Lookup()!, error).ConfigureAwait(false);
            return;
        }

        // ngrok answers 204; the new entry's address rides along for the inspector page.
        context.Response.Headers.Location = "/api/requests/http/" + replayed;
        context.Response.Headers["X-Burrow-Request-Id"] = replayed;
        context.Response.StatusCode = 204;
    }

    private Task StatusAsync(HttpContext context)
    {
        // ?gc=true (Burrow's own, for the memory benchmark): a full blocking collection first, so the heap figure counts live objects only.
        long? liveHeap = context.Request.Query["gc"] == "true" ? GC.GetTotalMemory(forceFullCollection: true) : null;
        AgentStatus status = _runner.GetStatus();
        return WriteJsonAsync(context, 200, new JsonObject
        {
            ["status"] = StateName(status.Session),
            ["agent_version"] = status.Version,
            ["session"] = new JsonObject
            {
                ["legs"] = Legs(status),
                ["id"] = status.SessionId,
            },
            ["reason"] = status.Reason,
            ["web_addr"] = _runner.WebInterfaceUrl,
            ["inspector"] = _runner.Captures is { } captures
                ? new JsonObject
                {
                    ["requests"] = captures.Count,
                    ["bytes"] = captures.Bytes,
                    ["budget"] = captures.BudgetBytes,
                    ["allocated_bytes"] = captures.AllocatedBytes,
                    ["dropped"] = captures.Dropped,
                    // The whole agent's managed heap after the last GC.
                    ["gc_heap_bytes"] = GC.GetGCMemoryInfo().HeapSizeBytes,
                    ["live_heap_bytes"] = liveHeap,
                }
                : null,
            ["uri"] = "/api/status",
        });
    }

    /// <summary>
    /// ngrok's <c>session.legs</c>: one object per leg with its <c>region</c> (here the edge node's name, the closest
    /// thing Burrow has) and <c>latency</c>; Burrow adds the leg's number, address and state.
    /// </summary>
    private static JsonArray Legs(AgentStatus status)
    {
        IReadOnlyList<LegStatus> legs = status.Legs.Count > 0
            ? status.Legs
            : [new LegStatus(0, null, status.EdgeAddress, status.Session, status.Latency, status.Reason)];
        var array = new JsonArray();
        foreach (LegStatus leg in legs)
        {
            array.Add((JsonNode)new JsonObject
            {
                ["region"] = leg.NodeName ?? "",
                ["latency"] = leg.Latency is { } l ? $"{Math.Round(l.TotalMilliseconds)}ms" : "",
                ["leg"] = leg.Number,
                ["node"] = leg.NodeName,
                ["server_addr"] = leg.EdgeAddress,
                ["state"] = StateName(leg.Session),
                ["reason"] = leg.Reason,
            });
        }

        return array;
    }

    private static string StateName(SessionStatus session) => session switch
    {
        SessionStatus.Online => "online",
        SessionStatus.Reconnecting => "reconnecting",
        SessionStatus.Connecting => "connecting",
        SessionStatus.Stopping => "stopping",
        _ => "stopped",
    };

    private static async Task<JsonObject?> ReadBodyAsync(HttpContext context)
    {
        try
        {
            if (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false) is JsonObject body)
            {
                return body;
            }
        }
        catch (JsonException)
        {
            // Answered below.
        }

        await WriteErrorAsync(context, ErrorCodes.ApiBadRequest, ErrorCodes.ApiBadRequest.ToError("the body is not a JSON object")).ConfigureAwait(false);
        return null;
    }
}

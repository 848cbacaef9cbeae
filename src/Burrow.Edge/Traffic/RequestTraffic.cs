using System.Net;
using Burrow.Edge.Errors;
using Burrow.Edge.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Burrow.Edge.Traffic;

/// <summary>
/// One public request as its tunnel's traffic log sees it: bodies counted where no length header gives their size, and
/// the entry added when the request ends. Costs nothing when the tunnel's log is off.
/// </summary>
internal readonly struct RequestTraffic
{
    private readonly Tunnel? _tunnel;
    private readonly long _started;
    private readonly CountingStream? _requestBody;
    private readonly CountingResponseBody? _responseBody;

    private RequestTraffic(Tunnel tunnel, long started, CountingStream? requestBody, CountingResponseBody? responseBody)
    {
        _tunnel = tunnel;
        _started = started;
        _requestBody = requestBody;
        _responseBody = responseBody;
    }

    /// <summary>Starts following a request that goes to the agent: its bodies are counted from here.</summary>
    public static RequestTraffic Forwarded(HttpContext context, Tunnel tunnel, long started)
    {
        if (!tunnel.Traffic.Enabled)
        {
            return default;
        }

        CountingStream? requestBody = null;
        if (context.Request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            requestBody = new CountingStream(context.Request.Body);
            context.Request.Body = requestBody;
        }

        CountingResponseBody? responseBody = null;
        if (context.Features.Get<IHttpResponseBodyFeature>() is { } body)
        {
            responseBody = new CountingResponseBody(body);
            context.Features.Set<IHttpResponseBodyFeature>(responseBody);
        }

        return new RequestTraffic(tunnel, started, requestBody, responseBody);
    }

    /// <summary>Logs a request the edge answered itself (a refusal by the tunnel's policy, an agent gone).</summary>
    public static void Refused(HttpContext context, Tunnel tunnel, long started) =>
        new RequestTraffic(tunnel, started, null, null).Ended(context);

    /// <summary>Adds the entry, once the response has ended.</summary>
    public void Ended(HttpContext context)
    {
        if (_tunnel is not { Traffic.Enabled: true } tunnel)
        {
            return;
        }

        HttpRequest request = context.Request;
        string path = request.QueryString.HasValue ? request.Path.Value + request.QueryString.Value : request.Path.Value ?? "/";
        if (path.Length > TrafficLog.MaxPathLength)
        {
            path = path[..TrafficLog.MaxPathLength];
        }

        IPAddress? client = context.Connection.RemoteIpAddress;
        string? errorCode = context.Response.Headers.TryGetValue(ErrorResponder.CodeHeader, out var code) ? code.ToString() : null;
        tunnel.Traffic.Add(new TrafficEntry(
            tunnel.Session.Time.GetUtcNow(),
            request.Method,
            path,
            context.Response.StatusCode,
            tunnel.Session.Time.GetElapsedTime(_started).TotalMilliseconds,
            (client is { IsIPv4MappedToIPv6: true } ? client.MapToIPv4() : client)?.ToString() ?? "",
            _requestBody?.Count ?? request.ContentLength ?? 0,
            _responseBody?.Count ?? context.Response.ContentLength ?? 0,
            errorCode));
    }
}

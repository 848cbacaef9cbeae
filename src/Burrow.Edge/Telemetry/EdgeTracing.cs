using System.Diagnostics;
using Burrow.Edge.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Burrow.Edge.Telemetry;

/// <summary>
/// The edge's spans: one per request forwarded to an agent (<c>burrow.edge.forward</c>), a child of the client's
/// <c>traceparent</c> when it sent one; the request goes on to the agent with this span as its parent
/// (<see cref="Forwarding.TunnelTransformer"/>). Nothing is created unless a tracer listens (OTLP configured).
/// </summary>
internal static class EdgeTracing
{
    public const string SourceName = "Burrow.Edge";

    public static readonly ActivitySource Source = new(SourceName, typeof(EdgeTracing).Assembly.GetName().Version?.ToString(3));

    public static Activity? StartForward(HttpContext context, Tunnel tunnel)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        HttpRequest request = context.Request;
        if (!ActivityContext.TryParse(request.Headers[HeaderNames.TraceParent], request.Headers[HeaderNames.TraceState], isRemote: true, out ActivityContext parent))
        {
            // No trace from the client: this span starts one. Not a child of the server's own request activity, which
            // exists whenever logging is on and is never recorded (a parent-based sampler would then drop this span).
            Activity.Current = null;
        }

        Activity? span = Source.StartActivity("burrow.edge.forward", ActivityKind.Server, parent);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("http.request.method", request.Method);
            span.SetTag("url.path", request.Path.Value);
            span.SetTag("server.address", tunnel.Hostname);
            span.SetTag("client.address", context.Connection.RemoteIpAddress?.ToString());
            span.SetTag("burrow.tunnel.id", tunnel.Id);
        }

        return span;
    }

    public static void End(Activity? span, HttpContext context)
    {
        if (span is null)
        {
            return;
        }

        int status = context.Response.StatusCode;
        span.SetTag("http.response.status_code", status);
        if (context.Response.Headers.TryGetValue(Errors.ErrorResponder.CodeHeader, out var code))
        {
            span.SetTag("burrow.error_code", code.ToString());
        }

        if (status >= 500)
        {
            span.SetStatus(ActivityStatusCode.Error);
        }

        span.Dispose();
    }

    /// <summary>The <c>traceparent</c> to send the agent: this request's edge span, when there is one.</summary>
    public static Activity? Current => Activity.Current is { } current && ReferenceEquals(current.Source, Source) ? current : null;
}

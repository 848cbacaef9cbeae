using System.Diagnostics;
using Burrow.Protocol.Telemetry;

namespace Burrow.Agent.Telemetry;

/// <summary>
/// The agent's spans: one per HTTP/1.x request passed to the upstream (<c>burrow.agent.forward</c>), a child of the
/// edge's span named by the request's <c>traceparent</c>. The header is re-parented in place to the agent's span, so
/// the upstream's own span becomes its child: one trace reads edge → agent → upstream. Nothing is made, and no byte
/// looked at, unless a tracer listens (OTLP configured) and the request carries a <c>traceparent</c>.
/// </summary>
internal static class AgentTracing
{
    public const string SourceName = "Burrow.Agent";

    public static readonly ActivitySource Source = new(SourceName, typeof(AgentTracing).Assembly.GetName().Version?.ToString(3));

    /// <summary>
    /// Starts the span of the request whose head begins <paramref name="data"/> and re-parents its <c>traceparent</c>;
    /// null when nobody listens, the head is not whole in <paramref name="data"/>, or it has no <c>traceparent</c>.
    /// </summary>
    public static Activity? StartForward(Span<byte> data, string tunnel, string upstream)
    {
        if (!Source.HasListeners() || !TraceParentHeader.TryFind(data, out ActivityContext parent, out int parentIdOffset))
        {
            return null;
        }

        Activity? previous = Activity.Current;
        Activity? span = Source.StartActivity("burrow.agent.forward", ActivityKind.Client, parent);
        if (span is null)
        {
            return null;
        }

        // Ended by the response's end, on the other pump thread: not this flow's current activity.
        Activity.Current = previous;

        TraceParentHeader.Reparent(data, parentIdOffset, span.SpanId);
        if (span.IsAllDataRequested)
        {
            span.SetTag("burrow.tunnel", tunnel);
            span.SetTag("server.address", upstream);
        }

        return span;
    }
}

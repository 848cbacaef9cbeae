using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Metrics;

/// <summary>
/// W3C trace context through the tunnel: a client's <c>traceparent</c> is continued by the edge's span, the agent's span
/// is its child, and the upstream's own request span (ASP.NET Core's, in this process) is the agent span's child; the
/// edge and the agent export their spans and metrics over OTLP (the standard variables) to a receiver this test runs.
/// </summary>
public sealed class TracingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 120_000)]
    public async Task One_trace_runs_client_edge_agent_upstream_and_both_sides_export_it_over_otlp()
    {
        // The upstream's span: ASP.NET Core's request activity in this process, made when someone listens.
        var upstreamSpans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = upstreamSpans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using OtlpReceiver collector = await OtlpReceiver.StartAsync();
        var otlp = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        };
        await using var edge = await EdgeRun.StartAsync(environment: otlp);
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()], state.Path, environment: otlp);
        using HttpClient client = Clients.Create(edge.CaPath);

        string traceId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        const string ClientSpan = "00f067aa0ba902b7";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(agent.HttpUrl!, "/headers"));
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{ClientSpan}-01");
        using HttpResponseMessage response = await client.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        using JsonDocument seen = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        string[] upstreamParent = seen.RootElement.GetProperty("traceparent").GetString()!.Split('-');

        // The upstream got the same trace, parented by a span that is neither the client's nor absent.
        Assert.Equal(traceId, upstreamParent[1]);
        Assert.NotEqual(ClientSpan, upstreamParent[2]);

        ReceivedSpan? edgeSpan = null, agentSpan = null;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (edgeSpan is null || agentSpan is null)
        {
            await Task.Delay(200, deadline.Token);
            edgeSpan = collector.Spans.FirstOrDefault(s => s.TraceId == traceId && s.Name == "burrow.edge.forward");
            agentSpan = collector.Spans.FirstOrDefault(s => s.TraceId == traceId && s.Name == "burrow.agent.forward");
        }

        Assert.Equal("burrow-edge", edgeSpan.Service);
        Assert.Equal("burrow-agent", agentSpan.Service);
        Assert.Equal(ClientSpan, edgeSpan.ParentSpanId);
        Assert.Equal(edgeSpan.SpanId, agentSpan.ParentSpanId);
        Assert.Equal(agentSpan.SpanId, upstreamParent[2]);
        // The upstream's span stops just after its response went out: looked for until it has.
        Activity? upstreamSpan;
        while ((upstreamSpan = upstreamSpans.FirstOrDefault(a => a.TraceId.ToHexString() == traceId && a.ParentSpanId.ToHexString() == agentSpan.SpanId)) is null)
        {
            await Task.Delay(100, deadline.Token);
        }

        Assert.Equal(ActivityKind.Server, upstreamSpan.Kind);

        // Metrics go to the same collector from both sides.
        while (!collector.MetricExports.ContainsKey("burrow-edge") || !collector.MetricExports.ContainsKey("burrow-agent"))
        {
            await Task.Delay(200, deadline.Token);
        }

        // A request without a traceparent starts a trace at the edge, continued the same way.
        using HttpResponseMessage plain = await client.GetAsync(new Uri(agent.HttpUrl!, "/headers"), Ct);
        using JsonDocument plainSeen = JsonDocument.Parse(await plain.Content.ReadAsStringAsync(Ct));
        string[] started = plainSeen.RootElement.GetProperty("traceparent").GetString()!.Split('-');
        while (!collector.Spans.Any(s => s.TraceId == started[1] && s.Name == "burrow.agent.forward" && s.SpanId == started[2]))
        {
            await Task.Delay(200, deadline.Token);
        }
    }
}

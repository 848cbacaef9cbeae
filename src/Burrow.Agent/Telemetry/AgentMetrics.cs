using System.Diagnostics.Metrics;
using Burrow.Agent.Session;
using Burrow.Mux.Sessions;
using Burrow.Protocol.Telemetry;

namespace Burrow.Agent.Telemetry;

/// <summary>
/// The agent's instruments (meter <c>Burrow.Agent</c>). Like the edge's, counts the agent keeps anyway are read when a
/// collector asks; an inspected request's end adds one counter and one histogram measurement. docs/metrics.md lists them.
/// </summary>
internal sealed class AgentMetrics : IDisposable
{
    public const string MeterName = "Burrow.Agent";

    private static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public AgentMetrics(MuxCounters mux, SessionLoop loop, TunnelTable tunnels)
    {
        _meter = new Meter(MeterName, typeof(AgentMetrics).Assembly.GetName().Version?.ToString(3));
        _requests = _meter.CreateCounter<long>("burrow.agent.requests", "{request}", "HTTP requests the inspector saw answered (inspection on), counted when they end.");
        _duration = _meter.CreateHistogram("burrow.agent.request.duration", "s", "Time from a request's arrival at the agent to the end of its response.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _meter.CreateObservableGauge("burrow.agent.session.connected", () => loop.Mux is null ? 0 : 1, "{session}", "1 while the agent holds a session with the edge, else 0.");
        _meter.CreateObservableCounter("burrow.agent.reconnects", () => loop.Reconnects, "{reconnect}", "Times the agent waited to connect again after losing or failing to reach the edge.");
        _meter.CreateObservableGauge("burrow.agent.tunnels", () => tunnels.Snapshot().Length, "{tunnel}", "Tunnels this agent runs.");
        _meter.CreateObservableCounter("burrow.agent.connections",
            () => tunnels.Snapshot().Select(t => new Measurement<long>(t.ProxyStreams, new KeyValuePair<string, object?>("tunnel", t.Definition.Name))),
            "{stream}", "Proxy streams the edge opened for each tunnel.");
        _meter.CreateObservableGauge("burrow.agent.mux.streams", () => loop.Mux?.StreamCount ?? 0, "{stream}", "Open mux streams on the session.");
        _meter.CreateObservableCounter("burrow.agent.mux.streams_opened", () => mux.StreamsOpened, "{stream}", "Mux streams opened, over every session.");
        _meter.CreateObservableCounter("burrow.agent.mux.window_stalls", () => mux.WindowStalls, "{stall}", "Times a stream toward the edge had data to send and no window left.");
    }

    public void RequestEnded(string tunnel, int statusCode, TimeSpan duration)
    {
        var tunnelTag = new KeyValuePair<string, object?>("tunnel", tunnel);
        var statusTag = new KeyValuePair<string, object?>("status_code", BoxedStatusCodes.Of(statusCode));
        _requests.Add(1, tunnelTag, statusTag);
        _duration.Record(duration.TotalSeconds, tunnelTag, statusTag);
    }

    public void Dispose() => _meter.Dispose();
}

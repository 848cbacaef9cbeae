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

    private readonly Meter _meter;
    private readonly RequestInstruments _requests;

    public AgentMetrics(MuxCounters mux, SessionLoop loop, TunnelTable tunnels)
    {
        _meter = new Meter(MeterName, typeof(AgentMetrics).Assembly.GetName().Version?.ToString(3));
        _requests = new RequestInstruments(_meter, "burrow.agent", "HTTP requests the inspector saw answered (inspection on)");
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

    public void RequestEnded(string tunnel, int statusCode, TimeSpan duration) => _requests.Record(tunnel, statusCode, duration);

    public void Dispose() => _meter.Dispose();
}

using System.Diagnostics.Metrics;
using Burrow.Edge.Agents;
using Burrow.Edge.Certificates;
using Burrow.Edge.Routing;
using Burrow.Mux.Sessions;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Telemetry;

namespace Burrow.Edge.Telemetry;

/// <summary>
/// The edge's instruments (meter <c>Burrow.Edge</c>). Counts the edge keeps anyway (traffic per tunnel, proxy streams,
/// sessions) are read when a collector asks, so they cost the data path nothing new; a forwarded request's end adds one
/// counter and one histogram measurement, without allocating (the status tag comes from a table of boxed codes).
/// docs/metrics.md lists every instrument.
/// </summary>
internal sealed class EdgeMetrics : IDisposable
{
    public const string MeterName = "Burrow.Edge";

    private readonly Meter _meter;
    private readonly RequestInstruments _requests;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _authFailures;

    public EdgeMetrics(SessionRegistry sessions, TunnelRegistry tunnels, CertificateStore certificates, EdgeOptions options, TimeProvider time, Limits.SlidingWindowCounts counts)
    {
        _meter = new Meter(MeterName, typeof(EdgeMetrics).Assembly.GetName().Version?.ToString(3));
        _requests = new RequestInstruments(_meter, "burrow.edge", "HTTP requests forwarded to an agent");
        _errors = _meter.CreateCounter<long>("burrow.edge.errors", "{answer}", "Error answers the edge wrote itself, by Burrow error code.");
        _authFailures = _meter.CreateCounter<long>("burrow.edge.auth.failures", "{agent}", "Agents refused at authentication, by Burrow error code.");

        _meter.CreateObservableGauge("burrow.edge.sessions", () => CountLive(sessions), "{session}", "Agent sessions with a live link.");
        _meter.CreateObservableGauge("burrow.edge.tunnels", () => TunnelsByProto(tunnels), "{tunnel}", "Bound tunnels, by protocol.");
        _meter.CreateObservableCounter("burrow.edge.traffic", () => Traffic(tunnels), "By", "Bytes through each tunnel: in is from public clients toward the agent, out the way back.");
        _meter.CreateObservableCounter("burrow.edge.connections", () => Connections(tunnels), "{stream}", "Proxy streams opened toward the agent per tunnel (TCP and TLS connections, pooled HTTP connections).");
        _meter.CreateObservableGauge("burrow.edge.mux.streams", () => OpenStreams(sessions), "{stream}", "Open mux streams over every agent session.");
        _meter.CreateObservableCounter("burrow.edge.mux.streams_opened", () => Mux.StreamsOpened, "{stream}", "Mux streams opened over every agent session.");
        _meter.CreateObservableCounter("burrow.edge.mux.window_stalls", () => Mux.WindowStalls, "{stall}", "Times a stream toward an agent had data to send and no window left.");
        _meter.CreateObservableGauge("burrow.edge.rate_limit.buckets", () => counts.Buckets, "{bucket}", "Sliding-window buckets held (policy rate-limit keys, failed-authentication addresses).");
        _meter.CreateObservableCounter("burrow.edge.rate_limit.shared", () => new[]
        {
            new Measurement<long>(counts.SharedOut, new KeyValuePair<string, object?>("direction", "out")),
            new Measurement<long>(counts.SharedIn, new KeyValuePair<string, object?>("direction", "in")),
        }, "{count}", "Rate-limit counts (one bucket's segment) sent to other nodes of the cluster (out) and received from them (in).");
        string certificateName = options.Domain;
        _meter.CreateObservableGauge("burrow.edge.certificate.expiry",
            () => new Measurement<double>((certificates.DefaultCertificate.NotAfter.ToUniversalTime() - time.GetUtcNow().UtcDateTime).TotalSeconds, new KeyValuePair<string, object?>("name", certificateName)),
            "s", "Seconds until the served certificate expires.");
    }

    /// <summary>Given to every agent session's mux, so its totals survive the sessions.</summary>
    public MuxCounters Mux { get; } = new();

    public void RequestEnded(string tunnel, int statusCode, TimeSpan duration) => _requests.Record(tunnel, statusCode, duration);

    public void ErrorAnswered(ErrorCode code) => _errors.Add(1, new KeyValuePair<string, object?>("error_code", code.Code));

    public void AuthFailed(string errorCode) => _authFailures.Add(1, new KeyValuePair<string, object?>("error_code", errorCode));

    public void Dispose() => _meter.Dispose();

    private static int CountLive(SessionRegistry sessions)
    {
        int live = 0;
        foreach (AgentSession session in sessions.All)
        {
            if (session.Link is not null)
            {
                live++;
            }
        }

        return live;
    }

    private static IEnumerable<Measurement<int>> TunnelsByProto(TunnelRegistry tunnels) =>
        tunnels.Snapshot().GroupBy(t => t.Proto).Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("proto", g.Key)));

    private static IEnumerable<Measurement<long>> Traffic(TunnelRegistry tunnels)
    {
        foreach (Tunnel tunnel in tunnels.Snapshot())
        {
            var name = new KeyValuePair<string, object?>("tunnel", tunnel.Hostname);
            yield return new Measurement<long>(tunnel.Counters.BytesIn, name, new KeyValuePair<string, object?>("direction", "in"));
            yield return new Measurement<long>(tunnel.Counters.BytesOut, name, new KeyValuePair<string, object?>("direction", "out"));
        }
    }

    private static IEnumerable<Measurement<long>> Connections(TunnelRegistry tunnels) =>
        tunnels.Snapshot().Select(t => new Measurement<long>(t.Counters.Connections, new KeyValuePair<string, object?>("tunnel", t.Hostname)));

    private static int OpenStreams(SessionRegistry sessions)
    {
        int open = 0;
        foreach (AgentSession session in sessions.All)
        {
            open += session.Link?.StreamCount ?? 0;
        }

        return open;
    }
}

using System.Diagnostics.Metrics;

namespace Burrow.Protocol.Telemetry;

/// <summary>
/// A request counter and a duration histogram, tagged by tunnel and status code, as the edge and the agent both keep
/// them (<c>{prefix}.requests</c>, <c>{prefix}.request.duration</c>). Recording allocates nothing: two tags fit the
/// instruments' stack path, and the status comes pre-boxed.
/// </summary>
public sealed class RequestInstruments
{
    // Seconds; from a fast local answer to a long download or a slow upstream.
    private static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    /// <summary>Creates both instruments on <paramref name="meter"/>.</summary>
    /// <param name="meter">The side's meter.</param>
    /// <param name="prefix">The instruments' name prefix, e.g. <c>burrow.edge</c>.</param>
    /// <param name="which">Which requests are counted, for the descriptions.</param>
    public RequestInstruments(Meter meter, string prefix, string which)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _requests = meter.CreateCounter<long>($"{prefix}.requests", "{request}", $"{which}, counted when they end.");
        _duration = meter.CreateHistogram($"{prefix}.request.duration", "s", $"Duration of {which}, to the end of the response.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    /// <summary>Counts one ended request and records how long it took.</summary>
    public void Record(string tunnel, int statusCode, TimeSpan duration)
    {
        var tunnelTag = new KeyValuePair<string, object?>("tunnel", tunnel);
        var statusTag = new KeyValuePair<string, object?>("status_code", BoxedStatusCodes.Of(statusCode));
        _requests.Add(1, tunnelTag, statusTag);
        _duration.Record(duration.TotalSeconds, tunnelTag, statusTag);
    }
}

namespace Burrow.Agent.Metrics;

/// <summary>
/// A moment's reading of a <see cref="ConnectionMetrics"/>: the fields ngrok's agent API reports under
/// <c>metrics.conns</c> and <c>metrics.http</c>, so the inspector's API and the console read the same numbers.
/// </summary>
/// <param name="Count">Events since the tunnel started (connections opened, or requests completed).</param>
/// <param name="Gauge">Events in progress now (open connections); always 0 for requests.</param>
/// <param name="Rate1">Events per second, exponentially weighted over one minute.</param>
/// <param name="Rate5">Events per second, exponentially weighted over five minutes.</param>
/// <param name="Rate15">Events per second, exponentially weighted over fifteen minutes.</param>
/// <param name="P50">Median duration over the recent sample.</param>
/// <param name="P90">90th percentile duration over the recent sample.</param>
/// <param name="P95">95th percentile duration over the recent sample.</param>
/// <param name="P99">99th percentile duration over the recent sample.</param>
public readonly record struct MetricsSnapshot(
    long Count, long Gauge, double Rate1, double Rate5, double Rate15, TimeSpan P50, TimeSpan P90, TimeSpan P95, TimeSpan P99);

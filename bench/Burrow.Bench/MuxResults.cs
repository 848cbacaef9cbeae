namespace Burrow.Bench;

/// <summary>Everything the mux suite measured, per round. Throughputs are in MB/s (10^6 bytes), latencies in µs.</summary>
internal sealed class MuxResults
{
    public Series RawBulk { get; } = new();

    public Series MuxBulk { get; } = new();

    public Series GoBulk { get; } = new();

    public Series MuxConcurrent { get; } = new();

    public Series GoConcurrent { get; } = new();

    public Series MuxEchoP50 { get; } = new();

    public Series MuxEchoP99 { get; } = new();

    public Series MuxEchoCount { get; } = new();

    public Series GoEchoP50 { get; } = new();

    public Series GoEchoP99 { get; } = new();

    public Series GoEchoCount { get; } = new();

    /// <summary>Why there is no Go column, when there is none.</summary>
    public string? GoSkipped { get; set; }
}

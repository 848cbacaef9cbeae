namespace Burrow.Bench;

/// <summary>Everything the mux suite measured, per round. Throughputs are in MB/s (10^6 bytes), latencies in µs.</summary>
internal sealed class MuxResults
{
    /// <summary>Blocking calls on dedicated threads: the ceiling.</summary>
    public Series RawBulk { get; } = new();

    /// <summary>Async calls, the I/O model Burrow.Mux runs on.</summary>
    public Series RawAsyncBulk { get; } = new();

    public Series MuxBulk { get; } = new();

    public Series GoBulk { get; } = new();

    public Series MuxConcurrent { get; } = new();

    public Series GoConcurrent { get; } = new();

    // CPU seconds per GB moved, both ends together (see CpuTime).
    public Series RawBulkCpu { get; } = new();

    public Series RawAsyncBulkCpu { get; } = new();

    public Series MuxBulkCpu { get; } = new();

    public Series GoBulkCpu { get; } = new();

    public Series MuxConcurrentCpu { get; } = new();

    public Series GoConcurrentCpu { get; } = new();

    public Series MuxEchoP50 { get; } = new();

    public Series MuxEchoP99 { get; } = new();

    public Series MuxEchoCount { get; } = new();

    public Series GoEchoP50 { get; } = new();

    public Series GoEchoP99 { get; } = new();

    public Series GoEchoCount { get; } = new();

    /// <summary>/proc/loadavg when the suite started and ended: how busy the machine was besides us.</summary>
    public string LoadAverage { get; set; } = "";

    /// <summary>Why there is no Go column, when there is none.</summary>
    public string? GoSkipped { get; set; }
}

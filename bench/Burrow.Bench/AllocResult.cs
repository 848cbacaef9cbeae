namespace Burrow.Bench;

/// <summary>One BenchmarkDotNet case of the alloc suite: one operation moves 1 MiB, so bytes per operation are bytes per MiB.</summary>
internal sealed record AllocResult(string Transport, double BytesPerMiB, double MegabytesPerSecond);

namespace Burrow.Bench;

/// <summary>
/// One transport of the alloc suite. One operation moves 1 MiB, so BenchmarkDotNet's bytes per
/// operation are bytes per MiB; <paramref name="LongRunBytesPerMiB"/> is the same count over 1 GiB in one go.
/// </summary>
internal sealed record AllocResult(string Transport, double BytesPerMiB, double LongRunBytesPerMiB, double MegabytesPerSecond);

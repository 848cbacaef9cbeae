using System.Diagnostics;

namespace Burrow.Mux.Tests.Hostile;

/// <summary>
/// Seeded random frames (see <see cref="FrameFuzzer"/>) for a bounded time. Serial: the memory
/// bound reads the process-wide GC heap, which parallel tests would move.
/// </summary>
[Collection(Serial.Name)]
public sealed class FuzzTests
{
    // BURROW_FUZZ_SECONDS lengthens the sweep for a bug hunt by hand; the suite keeps it at 3 s.
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("BURROW_FUZZ_SECONDS"), out var seconds) ? seconds : 3);
    private static readonly TimeSpan PerSeed = TimeSpan.FromMilliseconds(200);
    private const long MemoryBound = 64L * 1024 * 1024;

    [Fact]
    public async Task Random_frames_leave_the_session_healthy_or_ended_with_a_reason()
    {
        using var watch = new UnobservedExceptionWatch();
        var ct = TestData.Timeout((int)Budget.TotalSeconds + 60);
        // BURROW_FUZZ_SEED replays one seed (printed in every failure) instead of the sweep.
        var replay = int.TryParse(Environment.GetEnvironmentVariable("BURROW_FUZZ_SEED"), out var only) ? only : (int?)null;
        var outcomes = new List<string>();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        for (var seed = replay ?? 1; clock.Elapsed < Budget && (replay is null || outcomes.Count == 0); seed++)
        {
            outcomes.Add($"{seed}={await FrameFuzzer.RunAsync(seed, PerSeed, ct)}");
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var summary = string.Join(' ', outcomes);
        TestContext.Current.SendDiagnosticMessage($"fuzz: {outcomes.Count} seeds in {clock.Elapsed.TotalSeconds:0.0} s, heap {before / 1024} KiB -> {after / 1024} KiB: {summary}");
        Assert.True(after - before < MemoryBound, $"the heap grew by {(after - before) / (1024 * 1024)} MiB over {outcomes.Count} fuzz runs: {summary}");
        Assert.Contains(outcomes, o => o.Contains("=healthy", StringComparison.Ordinal));
        watch.AssertNone();
    }
}

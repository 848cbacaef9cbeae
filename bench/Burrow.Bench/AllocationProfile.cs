namespace Burrow.Bench;

/// <summary>
/// The same operation as <see cref="MuxAllocBenchmarks"/>, run 1 GiB at a stretch outside
/// BenchmarkDotNet: the allocated bytes over the whole stretch per MiB (a steadier figure than
/// one diagnoser iteration), and optionally which types they were.
/// </summary>
internal static class AllocationProfile
{
    private const int Operations = 1024; // 1 GiB: enough AllocationTick samples (one per ~100 KB) to see a few hundred bytes per MiB

    /// <summary>Allocated bytes per MiB over 1 GiB after warm-up; with a sampler, also the types.</summary>
    public static async Task<(double BytesPerMiB, IReadOnlyList<(string Type, long Bytes)> Types)> MeasureAsync(
        MuxAllocBenchmarks.Transport transport, AllocationSampler? sampler)
    {
        var bench = new MuxAllocBenchmarks { Over = transport };
        await bench.SetupAsync();
        try
        {
            sampler?.Start();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < Operations; i++)
            {
                bench.MoveOneMiB();
            }

            var perMiB = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Operations;
            return (perMiB, sampler?.Stop() ?? []);
        }
        finally
        {
            await bench.CleanupAsync();
        }
    }

    /// <summary>The alloc-profile command: per transport, bytes per MiB and the types behind them.</summary>
    public static async Task RunAsync()
    {
        using var sampler = new AllocationSampler();
        foreach (var transport in Enum.GetValues<MuxAllocBenchmarks.Transport>())
        {
            var (perMiB, types) = await MeasureAsync(transport, sampler);
            Console.WriteLine($"{transport}: {perMiB:0} bytes allocated per MiB over {Operations} MiB; sampled by type:");
            foreach (var (type, bytes) in types.Take(8))
            {
                Console.WriteLine($"  {bytes / (double)Operations,10:0} B/MiB  {type}");
            }

            if (types.Count == 0)
            {
                Console.WriteLine("  (no samples: under ~100 KB allocated in all)");
            }
        }
    }
}

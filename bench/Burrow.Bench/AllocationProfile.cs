namespace Burrow.Bench;

/// <summary>
/// Where the alloc figure comes from: runs the same operation as <see cref="MuxAllocBenchmarks"/>
/// with an <see cref="AllocationSampler"/> attached and prints the types that took the bytes.
/// </summary>
internal static class AllocationProfile
{
    private const int Operations = 1024; // 1 GiB: enough AllocationTick samples (one per ~100 KB) to see a few hundred bytes per MiB

    public static async Task RunAsync()
    {
        using var sampler = new AllocationSampler();
        foreach (var transport in Enum.GetValues<MuxAllocBenchmarks.Transport>())
        {
            var bench = new MuxAllocBenchmarks { Over = transport };
            await bench.SetupAsync();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            sampler.Start();
            for (var i = 0; i < Operations; i++)
            {
                await bench.MoveOneMiB();
            }

            var types = sampler.Stop();
            var perMiB = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Operations;
            await bench.CleanupAsync();
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

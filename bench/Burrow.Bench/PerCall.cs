using System.Diagnostics;

namespace Burrow.Bench;

/// <summary>
/// ns and bytes allocated per call of a small synchronous operation: a plain timed loop on one thread after a
/// warm-up, with GC.GetAllocatedBytesForCurrentThread counting exactly what the loop allocated.
/// </summary>
internal static class PerCall
{
    public static (double Ns, double Bytes) Measure(Func<object?> call, int iterations, int warmup)
    {
        for (int i = 0; i < warmup; i++)
        {
            call();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
        {
            call();
        }

        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return (clock.Elapsed.TotalNanoseconds / iterations, (double)allocated / iterations);
    }
}

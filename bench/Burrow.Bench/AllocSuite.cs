using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Burrow.Bench;

/// <summary>
/// Runs <see cref="MuxAllocBenchmarks"/> in this process with a short job and reads allocated bytes per
/// MiB off the summary; then counts the same over 1 GiB in one go (<see cref="AllocationProfile"/>).
/// </summary>
internal static class AllocSuite
{
    public static async Task<IReadOnlyList<AllocResult>> RunAsync()
    {
        // In-process: no generated project to build, so the suite stays within the run's time
        // budget. A short job is enough: the figure is a count of bytes, not a timing. The
        // iterations are long (hundreds of MiB) because the memory diagnoser counts one of them,
        // and a buffer-pool block allocated when the queues reach a new depth (64 KiB, once)
        // would otherwise read as hundreds of bytes per MiB.
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(8)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(500));
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(job)
            .WithArtifactsPath(Path.Combine(RepoPaths.Root, "bench", "Burrow.Bench", "obj", "BenchmarkDotNet.Artifacts"));

        var summary = BenchmarkRunner.Run<MuxAllocBenchmarks>(config);
        var results = new List<AllocResult>();
        foreach (var report in summary.Reports)
        {
            var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
            var meanNs = report.ResultStatistics?.Mean;
            if (bytes is null || meanNs is null)
            {
                throw new InvalidOperationException($"BenchmarkDotNet gave no result for {report.BenchmarkCase.DisplayInfo}; see its log above.");
            }

            var transport = (MuxAllocBenchmarks.Transport)report.BenchmarkCase.Parameters["Over"]!;
            var (longRun, _) = await AllocationProfile.MeasureAsync(transport, sampler: null);
            results.Add(new AllocResult(transport.ToString(), bytes.Value, longRun, (1 << 20) / 1e6 / (meanNs.Value / 1e9)));
        }

        return results;
    }
}

namespace Burrow.Bench;

/// <summary>
/// The throughput and latency suite. Each round runs every measurement once, in turn, so a
/// neighbour's load on this shared machine lands on all columns alike; the report takes medians.
/// </summary>
internal static class MuxSuite
{
    /// <summary>Enough to JIT every path the timed runs take and to warm the buffer pools (and the Go peer's).</summary>
    private const long WarmUpBytes = 64L << 20;

    // The .NET columns are measured in their steady state, which a long-running edge or agent is in: with tiered
    // compilation and dynamic PGO a path is recompiled with what it was seen doing for several GiB of traffic
    // (2026-12-07: Burrow.Mux with 100 streams went from 1.1-1.4 to 0.9-1.0 CPU s/GB over its first ten 1 GiB
    // runs; with DOTNET_TieredCompilation=0 it stayed flat at its slower start). So each .NET case is warmed with
    // full-size runs until its CPU per GB has not improved by more than SteadyWithin for SteadyRuns runs in a
    // row, after at least MinWarmUpRuns (a noisy slow run is no improvement either) and at most MaxWarmUpRuns.
    // Go's code is compiled ahead of time and needs no such warm-up.
    private const double SteadyWithin = 0.03;
    private const int SteadyRuns = 3;
    private const int MinWarmUpRuns = 6;
    private const int MaxWarmUpRuns = 14;

    public static async Task<MuxResults> RunAsync(BenchSettings settings)
    {
        var results = new MuxResults();
        var loadBefore = LoadAverage();
        GoYamuxPeer? go = null;
        if (settings.SkipGo)
        {
            results.GoSkipped = "skipped (--no-go)";
        }
        else
        {
            (go, results.GoSkipped) = await GoYamuxPeer.TryStartAsync();
            if (go is null)
            {
                Console.WriteLine($"Go yamux column skipped: {results.GoSkipped}");
            }
        }

        using (go)
        {
            var goPid = go?.ServerProcessId;
            Console.WriteLine("warm-up ...");
            await RawSocketBulk.RunAsync(WarmUpBytes, blocking: true);
            await RawSocketBulk.RunAsync(WarmUpBytes, blocking: false);
            await MuxBulk.RunAsync(WarmUpBytes);
            await MuxConcurrent.RunAsync(WarmUpBytes, settings.Streams);
            if (go is not null)
            {
                await go.BulkAsync(WarmUpBytes);
                await go.Bulk100Async(WarmUpBytes);
            }

            var bulk = settings.BulkBytes;
            await WarmUntilSteadyAsync("Burrow.Mux, 1 stream", goPid, bulk, () => MuxBulk.RunAsync(bulk));
            await WarmUntilSteadyAsync($"Burrow.Mux, {settings.Streams} streams", goPid, bulk, async () => (await MuxConcurrent.RunAsync(bulk, settings.Streams)).Seconds);
            for (var round = 1; round <= settings.Rounds; round++)
            {
                Console.WriteLine($"round {round}/{settings.Rounds}");
                var raw = await Measure(goPid, () => RawSocketBulk.RunAsync(bulk, blocking: true));
                Report("raw socket, blocking", bulk, raw.Cpu, results.RawBulk, results.RawBulkCpu, raw.Result);

                var rawAsync = await Measure(goPid, () => RawSocketBulk.RunAsync(bulk, blocking: false));
                Report("raw socket, async", bulk, rawAsync.Cpu, results.RawAsyncBulk, results.RawAsyncBulkCpu, rawAsync.Result);

                var mux = await Measure(goPid, () => MuxBulk.RunAsync(bulk));
                Report("Burrow.Mux, 1 stream", bulk, mux.Cpu, results.MuxBulk, results.MuxBulkCpu, mux.Result);

                if (go is not null)
                {
                    var g = await Measure(goPid, () => go.BulkAsync(bulk));
                    Report("Go yamux,   1 stream", bulk, g.Cpu, results.GoBulk, results.GoBulkCpu, g.Result);
                }

                var many = await Measure(goPid, () => MuxConcurrent.RunAsync(bulk, settings.Streams));
                Report($"Burrow.Mux, {settings.Streams} streams", bulk, many.Cpu, results.MuxConcurrent, results.MuxConcurrentCpu, many.Result.Seconds);
                var echo = many.Result.Echo;
                ReportEcho("Burrow.Mux", results.MuxEchoP50, results.MuxEchoP99, results.MuxEchoCount, echo.PercentileMicroseconds(50), echo.PercentileMicroseconds(99), echo.Count);

                // The Go peer's bulk100 mode always uses 100 streams.
                if (go is not null && settings.Streams == 100)
                {
                    var g = await Measure(goPid, () => go.Bulk100Async(bulk));
                    Report($"Go yamux,   {settings.Streams} streams", bulk, g.Cpu, results.GoConcurrent, results.GoConcurrentCpu, g.Result.Seconds);
                    ReportEcho("Go yamux  ", results.GoEchoP50, results.GoEchoP99, results.GoEchoCount, g.Result.P50, g.Result.P99, g.Result.Count);
                }
            }
        }

        results.LoadAverage = $"{loadBefore} at the start, {LoadAverage()} at the end";
        return results;
    }

    /// <summary>Runs <paramref name="run"/> until its CPU per GB is steady (see <see cref="SteadyWithin"/>), printing each run's figure.</summary>
    private static async Task WarmUntilSteadyAsync(string what, int? goServerPid, long bytes, Func<Task<double>> run)
    {
        Console.Write($"warm-up {what}, CPU s/GB:");
        var best = double.MaxValue;
        var steady = 0;
        var runs = 0;
        while ((steady < SteadyRuns || runs < MinWarmUpRuns) && runs < MaxWarmUpRuns)
        {
            var (_, cpu) = await Measure(goServerPid, run);
            var perGB = cpu / (bytes / 1e9);
            Console.Write($" {perGB:0.00}");
            steady = perGB < best * (1 - SteadyWithin) ? 0 : steady + 1;
            best = Math.Min(best, perGB);
            runs++;
        }

        Console.WriteLine(steady >= SteadyRuns ? $" (steady after {runs} runs)" : $" (not steady after {runs} runs; measuring anyway)");
    }

    /// <summary>Runs one measurement from a clean heap and returns its result and the CPU seconds it took, both ends together.</summary>
    private static async Task<(T Result, double Cpu)> Measure<T>(int? goServerPid, Func<Task<T>> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var cpu = CpuTime.Total(goServerPid);
        var result = await run();
        return (result, CpuTime.Total(goServerPid) - cpu);
    }

    private static void Report(string what, long bytes, double cpuSeconds, Series mbps, Series cpuPerGB, double seconds)
    {
        var rate = bytes / 1e6 / seconds;
        var cpu = cpuSeconds / (bytes / 1e9);
        mbps.Add(rate);
        cpuPerGB.Add(cpu);
        Console.WriteLine($"  {what,-26} {rate,8:0} MB/s  {cpu,5:0.00} CPU s/GB");
    }

    private static void ReportEcho(string who, Series p50, Series p99, Series count, double p50Us, double p99Us, int n)
    {
        p50.Add(p50Us);
        p99.Add(p99Us);
        count.Add(n);
        Console.WriteLine($"  {who} echo 1 KiB          p50 {p50Us:0} µs, p99 {p99Us:0} µs, {n} round trips");
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }
}

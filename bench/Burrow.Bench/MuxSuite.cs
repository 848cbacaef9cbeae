namespace Burrow.Bench;

/// <summary>
/// The throughput and latency suite. Each round runs every measurement once, in turn, so a
/// neighbour's load on this shared machine lands on all columns alike; the report takes medians.
/// </summary>
internal static class MuxSuite
{
    /// <summary>Enough to JIT and tier up every path the timed runs take, and to warm the buffer pool.</summary>
    private const long WarmUpBytes = 64L << 20;

    public static async Task<MuxResults> RunAsync(BenchSettings settings)
    {
        var results = new MuxResults();
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
            Console.WriteLine("warm-up ...");
            await RawSocketBulk.RunAsync(WarmUpBytes);
            await MuxBulk.RunAsync(WarmUpBytes);
            await MuxConcurrent.RunAsync(WarmUpBytes, settings.Streams);

            var bulk = settings.BulkBytes;
            for (var round = 1; round <= settings.Rounds; round++)
            {
                Console.WriteLine($"round {round}/{settings.Rounds}");
                Report("raw socket, 1 stream", results.RawBulk, MBps(bulk, await Measure(() => RawSocketBulk.RunAsync(bulk))));
                Report("Burrow.Mux, 1 stream", results.MuxBulk, MBps(bulk, await Measure(() => MuxBulk.RunAsync(bulk))));
                if (go is not null)
                {
                    Report("Go yamux,   1 stream", results.GoBulk, MBps(bulk, await Measure(() => go.BulkAsync(bulk))));
                }

                var (seconds, echo) = await Measure(() => MuxConcurrent.RunAsync(bulk, settings.Streams));
                Report($"Burrow.Mux, {settings.Streams} streams", results.MuxConcurrent, MBps(bulk, seconds));
                ReportEcho("Burrow.Mux", results.MuxEchoP50, results.MuxEchoP99, results.MuxEchoCount, echo.PercentileMicroseconds(50), echo.PercentileMicroseconds(99), echo.Count);
                // The Go peer's bulk100 mode always uses 100 streams.
                if (go is not null && settings.Streams == 100)
                {
                    var g = await Measure(() => go.Bulk100Async(bulk));
                    Report($"Go yamux,   {settings.Streams} streams", results.GoConcurrent, MBps(bulk, g.Seconds));
                    ReportEcho("Go yamux  ", results.GoEchoP50, results.GoEchoP99, results.GoEchoCount, g.P50, g.P99, g.Count);
                }
            }
        }

        return results;
    }

    private static async Task<T> Measure<T>(Func<Task<T>> run)
    {
        // Start each measurement with no garbage left over from the previous one.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return await run();
    }

    private static double MBps(long bytes, double seconds) => bytes / 1e6 / seconds;

    private static void Report(string what, Series series, double mbps)
    {
        series.Add(mbps);
        Console.WriteLine($"  {what,-26} {mbps,8:0} MB/s");
    }

    private static void ReportEcho(string who, Series p50, Series p99, Series count, double p50Us, double p99Us, int n)
    {
        p50.Add(p50Us);
        p99.Add(p99Us);
        count.Add(n);
        Console.WriteLine($"  {who} echo 1 KiB          p50 {p50Us:0} µs, p99 {p99Us:0} µs, {n} round trips");
    }
}

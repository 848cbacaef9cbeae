using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Burrow.Bench;

/// <summary>Renders the figures as Markdown (printed, and saved under bench/results/ for bench/README.md).</summary>
internal static class ResultsReport
{
    public static string Render(BenchSettings settings, MuxResults? mux, IReadOnlyList<AllocResult>? alloc)
    {
        var md = new StringBuilder();
        Line(md, $"Command: `{settings.CommandLine}`");
        Line(md, "");
        Line(md, $"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
        if (mux is not null)
        {
            RenderMux(md, settings, mux);
        }

        if (alloc is not null)
        {
            RenderAlloc(md, alloc);
        }

        return md.ToString();
    }

    /// <summary>Writes <paramref name="markdown"/> to bench/results/&lt;name&gt;-&lt;date&gt;.md and returns the path.</summary>
    public static string Save(string name, string markdown)
    {
        Directory.CreateDirectory(RepoPaths.ResultsDirectory);
        var path = Path.Combine(RepoPaths.ResultsDirectory, $"{name}-{DateTime.UtcNow:yyyy-MM-dd}.md");
        File.WriteAllText(path, markdown);
        return path;
    }

    private static void RenderMux(StringBuilder md, BenchSettings settings, MuxResults r)
    {
        var size = settings.BulkBytes % (1L << 30) == 0 ? $"{settings.BulkBytes >> 30} GiB" : $"{settings.BulkBytes >> 20} MiB";
        var n = settings.Streams;
        Line(md, "");
        Line(md, $"Loopback TCP, no TLS, default options on both implementations; median of {settings.Rounds} rounds; MB = 10^6 bytes; {size} per bulk run, written 64 KiB at a time.");
        Line(md, $"Load average (1, 5, 15 min): {r.LoadAverage}; the machine is shared, so wall-clock figures move with the neighbours' load, CPU figures much less.");
        if (r.GoSkipped is not null)
        {
            Line(md, $"Go yamux: {r.GoSkipped}.");
        }

        Line(md, "");
        Line(md, "| figure | Burrow.Mux | Go yamux | raw socket (ceiling) | raw socket, async | mux / raw | mux / Go |");
        Line(md, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        Line(md, $"| 1 stream bulk, MB/s | {F(r.MuxBulk)} | {F(r.GoBulk)} | {F(r.RawBulk)} | {F(r.RawAsyncBulk)} | {Percent(r.MuxBulk, r.RawBulk)} | {Times(r.MuxBulk, r.GoBulk)} |");
        Line(md, $"| {n} streams bulk, aggregate MB/s | {F(r.MuxConcurrent)} | {F(r.GoConcurrent)} | | | {Percent(r.MuxConcurrent, r.RawBulk)} | {Times(r.MuxConcurrent, r.GoConcurrent)} |");
        Line(md, $"| 1 KiB echo on stream {n + 1} meanwhile, p50 µs | {F(r.MuxEchoP50)} | {F(r.GoEchoP50)} | | | | {Times(r.MuxEchoP50, r.GoEchoP50)} |");
        Line(md, $"| 1 KiB echo on stream {n + 1} meanwhile, p99 µs | {F(r.MuxEchoP99)} | {F(r.GoEchoP99)} | | | | {Times(r.MuxEchoP99, r.GoEchoP99)} |");
        Line(md, $"| echo round trips per run | {F(r.MuxEchoCount)} | {F(r.GoEchoCount)} | | | | |");
        Line(md, $"| CPU s per GB, both ends, 1 stream | {F2(r.MuxBulkCpu)} | {F2(r.GoBulkCpu)} | {F2(r.RawBulkCpu)} | {F2(r.RawAsyncBulkCpu)} | {Times(r.MuxBulkCpu, r.RawBulkCpu)} | {Times(r.MuxBulkCpu, r.GoBulkCpu)} |");
        Line(md, $"| CPU s per GB, both ends, {n} streams | {F2(r.MuxConcurrentCpu)} | {F2(r.GoConcurrentCpu)} | | | {Times(r.MuxConcurrentCpu, r.RawBulkCpu)} | {Times(r.MuxConcurrentCpu, r.GoConcurrentCpu)} |");
        Line(md, "");
        Line(md, "Every round (MB/s or µs):");
        Line(md, "");
        Line(md, "| figure | rounds |");
        Line(md, "| --- | --- |");
        Rounds(md, "raw socket (blocking), 1 stream", r.RawBulk);
        Rounds(md, "raw socket (async), 1 stream", r.RawAsyncBulk);
        Rounds(md, "Burrow.Mux, 1 stream", r.MuxBulk);
        Rounds(md, "Go yamux, 1 stream", r.GoBulk);
        Rounds(md, $"Burrow.Mux, {n} streams", r.MuxConcurrent);
        Rounds(md, $"Go yamux, {n} streams", r.GoConcurrent);
        Rounds(md, "raw socket (blocking) CPU s/GB", r.RawBulkCpu, format: F2);
        Rounds(md, "raw socket (async) CPU s/GB", r.RawAsyncBulkCpu, format: F2);
        Rounds(md, "Burrow.Mux CPU s/GB, 1 stream", r.MuxBulkCpu, format: F2);
        Rounds(md, "Go yamux CPU s/GB, 1 stream", r.GoBulkCpu, format: F2);
        Rounds(md, "Burrow.Mux echo p50 / p99", r.MuxEchoP50, r.MuxEchoP99);
        Rounds(md, "Go yamux echo p50 / p99", r.GoEchoP50, r.GoEchoP99);
        Line(md, "");
        Line(md, "Targets (1 stream bulk):");
        Line(md, $"- ≥ 60 % of the raw socket: {Verdict(r.MuxBulk.Median / r.RawBulk.Median >= 0.6, r.MuxBulk, r.RawBulk, Percent(r.MuxBulk, r.RawBulk))}");
        Line(md, $"- ≥ 1.5× Go yamux: {Verdict(r.MuxBulk.Median / r.GoBulk.Median >= 1.5, r.MuxBulk, r.GoBulk, Times(r.MuxBulk, r.GoBulk))}");
    }

    private static void RenderAlloc(StringBuilder md, IReadOnlyList<AllocResult> alloc)
    {
        Line(md, "");
        Line(md, "Allocated bytes per MiB moved through one Burrow.Mux stream, steady state (warm session, pools grown; both sessions in this process, every thread counted):");
        Line(md, "");
        Line(md, "| transport | BenchmarkDotNet [MemoryDiagnoser], bytes / MiB | over 1 GiB in one go, bytes / MiB | MB/s in the BenchmarkDotNet run |");
        Line(md, "| --- | ---: | ---: | ---: |");
        foreach (var a in alloc)
        {
            Line(md, $"| {a.Transport} | {a.BytesPerMiB.ToString("0.#", CultureInfo.InvariantCulture)} | {a.LongRunBytesPerMiB.ToString("0.#", CultureInfo.InvariantCulture)} | {a.MegabytesPerSecond.ToString("0", CultureInfo.InvariantCulture)} |");
        }
    }

    private static string Verdict(bool met, Series a, Series b, string ratio) =>
        a.IsEmpty || b.IsEmpty ? "not measured" : met ? $"met ({ratio})" : $"**missed** ({ratio})";

    private static void Rounds(StringBuilder md, string what, Series series, Series? second = null, Func<double, string>? format = null)
    {
        format ??= F;
        if (series.IsEmpty)
        {
            return;
        }

        var values = second is null
            ? series.Values.Select(format)
            : series.Values.Zip(second.Values, (a, b) => $"{format(a)} / {format(b)}");
        Line(md, $"| {what} | {string.Join(", ", values)} |");
    }

    private static string F(Series s) => s.IsEmpty ? "—" : F(s.Median);

    private static string F(double v) => v.ToString("0", CultureInfo.InvariantCulture);

    private static string F2(Series s) => s.IsEmpty || double.IsNaN(s.Median) ? "—" : F2(s.Median);

    private static string F2(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Percent(Series a, Series b) =>
        a.IsEmpty || b.IsEmpty ? "" : (a.Median / b.Median).ToString("0 %", CultureInfo.InvariantCulture);

    private static string Times(Series a, Series b) =>
        a.IsEmpty || b.IsEmpty ? "" : (a.Median / b.Median).ToString("0.00", CultureInfo.InvariantCulture) + "×";

    private static void Line(StringBuilder md, string text) => md.Append(text).Append('\n');
}

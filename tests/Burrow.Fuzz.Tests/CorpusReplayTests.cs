using System.Diagnostics;
using System.Globalization;
using Burrow.Fuzz;

namespace Burrow.Fuzz.Tests;

/// <summary>
/// The fuzz targets in the suite: every corpus and regression input replayed, then seeded random
/// inputs (mutations of the corpus) for a bounded time. The coverage-guided run (afl-fuzz with
/// SharpFuzz) is bench/fuzz/run.sh; what it finds is copied to bench/fuzz/regressions/ and replayed here.
/// </summary>
public sealed class CorpusReplayTests
{
    // BURROW_FUZZ_SECONDS lengthens the seeded run for a hunt by hand; the suite keeps it short.
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("BURROW_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out int s) ? s : 8);

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Keys];

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Every_corpus_and_regression_input_is_handled(string target)
    {
        string[] files = [.. Inputs(target)];
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            Exception? finding = await Record.ExceptionAsync(() => FuzzTargets.All[target](File.ReadAllBytes(file)));
            Assert.True(finding is null, $"{Path.GetFileName(file)}: {finding}");
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Seeded_random_inputs_are_refused_cleanly(string target)
    {
        byte[][] corpus = [.. Inputs(target).Select(File.ReadAllBytes)];
        int seed = int.TryParse(Environment.GetEnvironmentVariable("BURROW_FUZZ_SEED"), CultureInfo.InvariantCulture, out int s) ? s : 1;
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        long runs = 0;
        while (clock.Elapsed < Budget)
        {
            byte[] input = SeededInputs.Next(random, corpus);
            Exception? finding = await Record.ExceptionAsync(() => FuzzTargets.All[target](input));
            Assert.True(finding is null, $"seed {seed}, input {runs} ({Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 256)))}): {finding}");
            runs++;
        }

        Assert.True(runs > 100, $"only {runs} inputs in {Budget}");
    }

    [Fact]
    public async Task Known_decoder_edge_cases_are_refused_with_the_protocols_own_error()
    {
        // Hand-made inputs at the edges of both decoders; each must come back as a refusal, not a crash.
        byte[][] control =
        [
            [], [0], [0, 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF], [0, 0, 0, 1, (byte)'{'],
            "{\"type\":null}"u8.ToArray(), "{\"type\":\"auth\",\"protocol_version\":\"1\"}"u8.ToArray(),
            "{\"type\":\"bind\",\"request_id\":null,\"proto\":\"http\"}"u8.ToArray(),
            "{\"type\":\"bind\",\"request_id\":\"r\",\"proto\":\"http\",\"remote_port\":1e400}"u8.ToArray(),
            "{\"type\":\"auth\",\"type\":\"bind\"}"u8.ToArray(),
            [.. "{\"type\":\"auth\",\"authtoken\":\""u8, .. Enumerable.Repeat((byte)'[', 5000), .. "\"}"u8],
            [.. Enumerable.Repeat((byte)'[', 100_000)],
        ];
        byte[][] frames =
        [
            [], [0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            [0, 0, 0, 1, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF], [0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0], [0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1],
        ];
        foreach (byte[] input in control)
        {
            await FuzzTargets.ControlAsync(input);
        }

        foreach (byte[] input in frames)
        {
            await FuzzTargets.FramesAsync(input);
        }
    }

    private static IEnumerable<string> Inputs(string target)
    {
        string root = RepositoryRoot();
        foreach (string folder in new[] { "corpus", "regressions" })
        {
            string dir = Path.Combine(root, "bench", "fuzz", folder, target);
            if (Directory.Exists(dir))
            {
                foreach (string file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
                {
                    yield return file;
                }
            }
        }
    }

    private static string RepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Burrow.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Cannot find the repository root (Burrow.slnx) above " + AppContext.BaseDirectory);
    }
}

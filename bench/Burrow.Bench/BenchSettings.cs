using System.Globalization;

namespace Burrow.Bench;

/// <summary>What a run does, from the command line: <c>[mux|alloc|all] [--rounds N] [--bytes SIZE] [--streams N] [--no-go]</c>.</summary>
internal sealed record BenchSettings(string Command, int Rounds, long BulkBytes, int Streams, bool SkipGo)
{
    /// <summary>Every bulk writer (raw, Burrow.Mux, the Go peer) writes 64 KiB at a time.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>The echo message on the latency stream, as in the Go peer.</summary>
    public const int EchoSize = 1024;

    public const string Usage =
        "usage: dotnet run -c Release --project bench/Burrow.Bench -- [mux|alloc|all] [--rounds N] [--bytes SIZE] [--streams N] [--no-go]\n" +
        "  mux    throughput and echo latency on loopback TCP: raw socket, Burrow.Mux, Go yamux (default)\n" +
        "  alloc  BenchmarkDotNet [MemoryDiagnoser]: allocated bytes per MiB moved through one stream\n" +
        "  all    both\n" +
        "  cel    policy expressions: ns and bytes per evaluation, against the Cel NuGet package\n" +
        "  policy a 10-rule traffic policy (bench/policy/ten-rules.yml): ns and bytes per request\n" +
        "  alloc-profile  which types the alloc figure is made of (sampled with the runtime's AllocationTick event)\n" +
        "  --rounds N     rounds per figure; the median is reported (default 3)\n" +
        "  --bytes SIZE   bytes per bulk run, e.g. 1G, 256M (default 1G = 1 GiB)\n" +
        "  --streams N    concurrent bulk streams (default 100)\n" +
        "  --no-go        skip the Go yamux column";

    /// <summary>Parses the arguments, or returns null with the usage printed.</summary>
    public static BenchSettings? Parse(string[] args)
    {
        var settings = new BenchSettings("mux", Rounds: 3, BulkBytes: 1L << 30, Streams: 100, SkipGo: false);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "mux" or "alloc" or "all" or "alloc-profile" or "cel" or "policy":
                    settings = settings with { Command = args[i] };
                    break;
                case "--rounds":
                    settings = settings with { Rounds = Math.Max(1, int.Parse(Next(), CultureInfo.InvariantCulture)) };
                    break;
                case "--bytes":
                    settings = settings with { BulkBytes = ParseSize(Next()) };
                    break;
                case "--streams":
                    settings = settings with { Streams = Math.Max(1, int.Parse(Next(), CultureInfo.InvariantCulture)) };
                    break;
                case "--no-go":
                    settings = settings with { SkipGo = true };
                    break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'");
                    Console.Error.WriteLine(Usage);
                    return null;
            }
        }

        return settings;
    }

    /// <summary>The command line that reproduces this run, for the results file.</summary>
    public string CommandLine =>
        $"dotnet run -c Release --project bench/Burrow.Bench -- {Command}" +
        (Rounds != 3 ? $" --rounds {Rounds}" : "") +
        (BulkBytes != 1L << 30 ? $" --bytes {BulkBytes}" : "") +
        (Streams != 100 ? $" --streams {Streams}" : "") +
        (SkipGo ? " --no-go" : "");

    private static long ParseSize(string text)
    {
        var multiplier = char.ToUpperInvariant(text[^1]) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            _ => 1L,
        };
        var digits = multiplier == 1 ? text : text[..^1];
        return long.Parse(digits, CultureInfo.InvariantCulture) * multiplier;
    }
}

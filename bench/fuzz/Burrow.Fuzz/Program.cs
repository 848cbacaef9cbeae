using System.Diagnostics;
using System.Globalization;
using Burrow.Fuzz;
using SharpFuzz;

// burrow fuzz harness (see tests/fuzz/README.md):
//   Burrow.Fuzz <target>                   run under afl-fuzz (SharpFuzz, instrumented assemblies)
//   Burrow.Fuzz <target> --replay <dir>    run every file of a corpus or crash folder once
//   Burrow.Fuzz <target> --random <seconds> [seed] [corpus dir]   seeded random inputs for a while
if (args.Length < 1 || !FuzzTargets.All.TryGetValue(args[0], out Func<byte[], Task>? target))
{
    Console.Error.WriteLine($"usage: Burrow.Fuzz <{string.Join('|', FuzzTargets.All.Keys)}> [--replay <dir> | --random <seconds> [seed] [corpus dir]]");
    return 2;
}

if (args.Length >= 3 && args[1] == "--replay")
{
    int count = 0;
    foreach (string file in Directory.EnumerateFiles(args[2], "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
    {
        await target(File.ReadAllBytes(file));
        count++;
    }

    Console.WriteLine($"{args[0]}: {count} inputs replayed, no finding");
    return 0;
}

if (args.Length >= 3 && args[1] == "--random")
{
    var budget = TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture));
    int seed = args.Length >= 4 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
    byte[][] corpus = args.Length >= 5 ? [.. Directory.EnumerateFiles(args[4]).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)] : [];
    var random = new Random(seed);
    var clock = Stopwatch.StartNew();
    long runs = 0;
    while (clock.Elapsed < budget)
    {
        byte[] input = SeededInputs.Next(random, corpus);
        try
        {
            await target(input);
        }
        catch (Exception ex)
        {
            string path = Path.GetFullPath($"finding-{args[0]}-{seed}-{runs}.bin");
            File.WriteAllBytes(path, input);
            Console.Error.WriteLine($"{args[0]}: finding after {runs} inputs (seed {seed}), input saved to {path}:\n{ex}");
            return 1;
        }

        runs++;
    }

    Console.WriteLine($"{args[0]}: {runs} seeded inputs in {clock.Elapsed.TotalSeconds:0} s (seed {seed}), no finding");
    return 0;
}

// Under afl-fuzz: one input per iteration, in this process (persistent mode). SharpFuzz's loop is
// synchronous and owns the thread, so this is the one place the async target is waited on.
Fuzzer.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target(copy.ToArray()).GetAwaiter().GetResult();
});
return 0;

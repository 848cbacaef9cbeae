using Burrow.Bench;

// The figures of issue "Mux benchmark": throughput and latency against a raw socket and Go's
// yamux (mux), and allocations per MiB (alloc). Prints them and saves them under bench/results/.
var settings = BenchSettings.Parse(args);
if (settings is null)
{
    return 2;
}

#if DEBUG
Console.WriteLine("warning: this is a Debug build; the numbers mean little. Use `dotnet run -c Release ...`.");
#endif

if (settings.Command == "cel")
{
    Console.WriteLine($"Burrow policy expressions: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    Console.WriteLine(CelSuite.Run());
    return 0;
}

if (settings.Command == "policy")
{
    Console.WriteLine($"Burrow traffic policy per request: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    Console.WriteLine(PolicySuite.Run());
    return 0;
}

Console.WriteLine($"Burrow.Mux benchmark: {settings.Command}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
var mux = settings.Command is "mux" or "all" ? await MuxSuite.RunAsync(settings) : null;
if (settings.Command == "alloc-profile")
{
    await AllocationProfile.RunAsync();
    return 0;
}

var alloc = settings.Command is "alloc" or "all" ? await AllocSuite.RunAsync() : null;

var markdown = ResultsReport.Render(settings, mux, alloc);
Console.WriteLine();
Console.WriteLine(markdown);
var path = ResultsReport.Save(settings.Command == "alloc" ? "alloc" : "mux", markdown);
Console.WriteLine($"saved to {Path.GetRelativePath(RepoPaths.Root, path)}");
return 0;

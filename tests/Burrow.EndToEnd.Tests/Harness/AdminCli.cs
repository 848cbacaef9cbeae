using System.Text.Json;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>Runs the real <c>burrow admin ...</c> against an edge and collects its exit code and output.</summary>
public static class AdminCli
{
    public sealed record Result(int ExitCode, string Output)
    {
        /// <summary>The output without the lines the process wrote to stderr.</summary>
        public string Stdout => string.Join('\n', Output.Split('\n').Where(l => !l.StartsWith("[stderr] ", StringComparison.Ordinal)));

        public JsonElement Json => JsonDocument.Parse(Stdout).RootElement.Clone();
    }

    /// <summary>Runs <c>burrow admin</c> with the edge's admin URL; the key comes from <paramref name="args"/> or the edge's data directory.</summary>
    public static async Task<Result> RunAsync(EdgeRun edge, params string[] args) =>
        await RunRawAsync(["admin", .. args, "--admin-url", edge.AdminUrl!, "--data-dir", edge.DataDir]);

    public static async Task<Result> RunRawAsync(IEnumerable<string> args)
    {
        await using var process = BurrowProcess.Start(args, new Dictionary<string, string> { ["BURROW_API_KEY"] = "", ["BURROW_ADMIN_URL"] = "" });
        int exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(90));
        // The last lines may still be on their way from the output pipe.
        await Task.Delay(100);
        return new Result(exit, process.Output);
    }
}

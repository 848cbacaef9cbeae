using System.Globalization;

namespace Burrow.EndToEnd.Tests.Faults;

/// <summary>
/// The soak (see <see cref="SoakRun"/>): 2 minutes in the suite; BURROW_SOAK_SECONDS sets another
/// length (bench/soak/run.sh runs 30 minutes), BURROW_SOAK_REPORT a file for the memory samples.
/// </summary>
public sealed class SoakTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("BURROW_SOAK_SECONDS"), CultureInfo.InvariantCulture, out int seconds) ? seconds : 120);

    [Fact]
    public async Task Mixed_traffic_with_random_agent_kills_every_answer_right_or_a_clean_error_during_restarts()
    {
        var ct = TestContext.Current.CancellationToken;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("BURROW_SOAK_SEED"), CultureInfo.InvariantCulture, out int s) ? s : 1;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(Duration + TimeSpan.FromMinutes(3));

        SoakRun run = await SoakRun.RunAsync(Duration, seed, bound.Token);

        string report = run.Report();
        TestContext.Current.SendDiagnosticMessage(report);
        Console.WriteLine(report);
        if (Environment.GetEnvironmentVariable("BURROW_SOAK_REPORT") is { Length: > 0 } path)
        {
            await File.WriteAllTextAsync(path, report, ct);
        }

        Assert.True(run.Violations.Count == 0, report);
        Assert.True(run.Restarts >= Math.Max(1, (int)(Duration.TotalSeconds / 40)), report);
        Assert.True(run.Ok >= (long)Duration.TotalSeconds, $"only {run.Ok} good answers in {Duration}: {report}");
        // A generous bound, not a target: it catches a leak that grows with traffic, not noise.
        double edgeEnd = run.Samples[^1].EdgeMiB;
        Assert.True(edgeEnd < 1024, $"the edge's RSS reached {edgeEnd:0} MiB: {report}");
    }
}

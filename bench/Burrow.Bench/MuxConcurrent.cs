using System.Diagnostics;

namespace Burrow.Bench;

/// <summary>
/// <c>streams</c> Burrow.Mux streams sharing <c>totalBytes</c> at once on one session, while a
/// further stream does 1 KiB echo round trips for as long as they run. Mirrors the Go peer's
/// bulk100 mode: the byte split, the echo loop and the clock are the same.
/// </summary>
internal static class MuxConcurrent
{
    public static async Task<(double Seconds, LatencySamples Echo)> RunAsync(long totalBytes, int streams)
    {
        await using var pair = await MuxTcpPair.ConnectAsync();
        var echo = new LatencySamples();
        using var stop = new CancellationTokenSource();
        var echoLoop = await MuxBenchClient.StartEchoLoopAsync(pair.Client, echo, stop.Token);

        var start = Stopwatch.GetTimestamp();
        var senders = new Task[streams];
        for (var i = 0; i < streams; i++)
        {
            var bytes = (totalBytes / streams) + (i == 0 ? totalBytes % streams : 0);
            senders[i] = Task.Run(() => MuxBenchClient.SinkAsync(pair.Client, bytes));
        }

        await Task.WhenAll(senders);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await stop.CancelAsync();
        await echoLoop;
        return (seconds, echo);
    }
}

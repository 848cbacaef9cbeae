using System.Diagnostics;

namespace Burrow.Bench;

/// <summary>One Burrow.Mux stream carrying <c>totalBytes</c> one way over loopback TCP; returns seconds (open to the sink's reply).</summary>
internal static class MuxBulk
{
    public static async Task<double> RunAsync(long totalBytes)
    {
        await using var pair = await MuxTcpPair.ConnectAsync();
        var start = Stopwatch.GetTimestamp();
        await MuxBenchClient.SinkAsync(pair.Client, totalBytes);
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}

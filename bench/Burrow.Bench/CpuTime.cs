using System.Globalization;

namespace Burrow.Bench;

/// <summary>
/// CPU time (user + system) used by this process, its finished children and one more process
/// (the Go bench-server), read from /proc. Unlike wall time it barely moves when neighbours
/// load the machine, so it is the steadier way to compare the columns. Linux only; elsewhere NaN.
/// </summary>
internal static class CpuTime
{
    // USER_HZ: the unit of the times in /proc/*/stat, 100 on every Linux ABI .NET runs on.
    private const double TicksPerSecond = 100;

    /// <summary>Seconds of CPU so far: this process, every child it has waited for, and <paramref name="otherPid"/> if given.</summary>
    public static double Total(int? otherPid)
    {
        var self = Fields("self");
        if (self is null)
        {
            return double.NaN;
        }

        // After the command name: [11] utime, [12] stime, [13] cutime, [14] cstime (fields 14-17 of proc(5)).
        var ticks = self[11] + self[12] + self[13] + self[14];
        if (otherPid is { } pid && Fields(pid.ToString(CultureInfo.InvariantCulture)) is { } other)
        {
            ticks += other[11] + other[12];
        }

        return ticks / TicksPerSecond;
    }

    private static long[]? Fields(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name is in parentheses and may contain spaces; the numbers start after it.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return [.. rest.Take(15).Select(f => long.TryParse(f, CultureInfo.InvariantCulture, out var v) ? v : 0)];
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

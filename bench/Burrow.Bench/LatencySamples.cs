using System.Diagnostics;

namespace Burrow.Bench;

/// <summary>Round-trip times in Stopwatch ticks; percentiles use the Go peer's indexing (sorted[n*p/100]) so the two columns compare.</summary>
internal sealed class LatencySamples
{
    private readonly List<long> _ticks = new(capacity: 1 << 16);

    public int Count => _ticks.Count;

    public void Add(long ticks) => _ticks.Add(ticks);

    public double PercentileMicroseconds(int percent)
    {
        if (_ticks.Count == 0)
        {
            return double.NaN;
        }

        _ticks.Sort();
        var ticks = _ticks[_ticks.Count * percent / 100];
        return ticks * 1e6 / Stopwatch.Frequency;
    }
}

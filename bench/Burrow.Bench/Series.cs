namespace Burrow.Bench;

/// <summary>One figure's values across rounds; the median is what gets reported, the rest shows the spread.</summary>
internal sealed class Series
{
    private readonly List<double> _values = [];

    public IReadOnlyList<double> Values => _values;

    public bool IsEmpty => _values.Count == 0;

    public double Median
    {
        get
        {
            if (_values.Count == 0)
            {
                return double.NaN;
            }

            var sorted = _values.Order().ToArray();
            var mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }

    public void Add(double value) => _values.Add(value);
}

using System.Text;

namespace Burrow.Bench.IdleTunnels;

/// <summary>Collects what the agents say, so the driver can count bound tunnels.</summary>
internal sealed class CountingWriter : TextWriter
{
    private readonly StringBuilder _text = new();
    private readonly Lock _lock = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock)
        {
            _text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_lock)
        {
            _text.Append(value);
        }
    }

    public int Count(string marker)
    {
        string text = Text();
        int count = 0;
        for (int at = text.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = text.IndexOf(marker, at + marker.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    public string Text()
    {
        lock (_lock)
        {
            return _text.ToString();
        }
    }
}

using System.Text;

namespace Burrow.Cli.Screen;

/// <summary>
/// Takes the agent's lines for the user while the live console owns the terminal, keeping the last one for the
/// screen ("Reconnecting in 2.0 s..."). Thread-safe: the agent writes from its loops, the console reads from its own.
/// </summary>
internal sealed class NoticeLog : TextWriter
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _line = new();
    private string? _last;

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>The last complete line written, or <see langword="null"/>.</summary>
    public string? Last
    {
        get
        {
            lock (_lock)
            {
                return _last;
            }
        }
    }

    public override void Write(char value)
    {
        lock (_lock)
        {
            if (value == '\n')
            {
                string line = _line.ToString().TrimEnd('\r');
                _line.Clear();
                if (line.Length > 0)
                {
                    _last = line;
                }
            }
            else
            {
                _line.Append(value);
            }
        }
    }

    public override void Write(string? value)
    {
        foreach (char c in value ?? "")
        {
            Write(c);
        }
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Write('\n');
    }
}

using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Burrow.Cli.Logging;

/// <summary>One logfmt line per event: <c>t=... lvl=info obj=... msg="..." key=value</c>, the shape tools that wrap ngrok parse.</summary>
internal sealed class LogfmtFormatter : ConsoleFormatter
{
    public const string FormatterName = "logfmt";

    public LogfmtFormatter()
        : base(FormatterName)
    {
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        textWriter.Write("t=");
        textWriter.Write(DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        textWriter.Write(" lvl=");
        textWriter.Write(logEntry.LogLevel switch
        {
            LogLevel.Trace or LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "eror",
            _ => "crit",
        });
        textWriter.Write(" obj=");
        textWriter.Write(Quote(logEntry.Category));
        textWriter.Write(" msg=");
        textWriter.Write(Quote(message));
        if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> fields)
        {
            foreach (var (key, value) in fields)
            {
                if (key != "{OriginalFormat}")
                {
                    textWriter.Write(' ');
                    textWriter.Write(key);
                    textWriter.Write('=');
                    textWriter.Write(Quote(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
                }
            }
        }

        if (logEntry.Exception is { } ex)
        {
            textWriter.Write(" err=");
            textWriter.Write(Quote(ex.Message));
        }

        textWriter.WriteLine();
    }

    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => c > ' ' && c != '"' && c != '=' && c < 127)
            ? value
            : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}

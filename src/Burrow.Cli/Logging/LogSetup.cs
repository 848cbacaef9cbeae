using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Burrow.Cli.Logging;

/// <summary>
/// Applies <c>--log</c>, <c>--log-format</c> and <c>--log-level</c> (ngrok's names): where logs go
/// (<c>stdout</c>, <c>stderr</c>, <c>false</c>), as <c>term</c>, <c>logfmt</c> or <c>json</c>, from which level.
/// <c>term</c> into a pipe or file is logfmt, as ngrok's is.
/// </summary>
internal static class LogSetup
{
    public static string? Validate(string target, string format, string level) =>
        target is not ("stdout" or "stderr" or "false" or "none")
            ? $"--log '{target}' is not supported; use stdout, stderr or false."
            : format is not ("term" or "logfmt" or "json")
                ? $"--log-format '{format}' is not supported; use term, logfmt or json."
                : ParseLevel(level) is null
                    ? $"--log-level '{level}' is not supported; use debug, info, warn, error or crit."
                    : null;

    public static void Apply(ILoggingBuilder logging, string target, string format, string level)
    {
        logging.ClearProviders();
        if (target is "false" or "none")
        {
            return;
        }

        LogLevel minimum = ParseLevel(level) ?? LogLevel.Information;
        logging.SetMinimumLevel(minimum);
        // Framework chatter (Kestrel's per-connection debug lines) only when asked for debug.
        logging.AddFilter("Microsoft", minimum <= LogLevel.Debug ? LogLevel.Debug : LogLevel.Warning);
        logging.AddFilter("System", LogLevel.Warning);
        logging.AddFilter("Yarp", minimum <= LogLevel.Debug ? LogLevel.Debug : LogLevel.Warning);
        LogLevel thresholdForStderr = target == "stderr" ? LogLevel.Trace : LogLevel.None;
        // ngrok's "term" lines are logfmt (with colours on a terminal): written to a pipe or a file they carry every
        // field, and tools that drive ngrok (the npm ngrok package, pyngrok) read addr= and url= from them.
        bool redirected = target == "stderr" ? Console.IsErrorRedirected : Console.IsOutputRedirected;
        if (format == "term" && redirected)
        {
            format = "logfmt";
        }

        switch (format)
        {
            case "json":
                logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
                break;
            case "logfmt":
                logging.AddConsole(o => o.FormatterName = LogfmtFormatter.FormatterName);
                // What AddConsoleFormatter<LogfmtFormatter, ConsoleFormatterOptions>() does, less its binding
                // of the options from configuration (reflection, a Native AOT warning): the formatter has none.
                logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, LogfmtFormatter>());
                break;
            default:
                logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss ";
                });
                break;
        }

        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = thresholdForStderr);
    }

    private static LogLevel? ParseLevel(string level) => level switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "crit" => LogLevel.Critical,
        _ => null,
    };
}

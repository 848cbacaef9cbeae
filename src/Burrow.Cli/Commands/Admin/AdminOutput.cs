using System.Globalization;
using Spectre.Console;

namespace Burrow.Cli.Commands.Admin;

/// <summary>Prints answers: a table for people, or the API's JSON as received for scripts.</summary>
internal static class AdminOutput
{
    private static readonly Lazy<IAnsiConsole> Console = new(CreateConsole);

    public static void Json(string body) => System.Console.Out.WriteLine(body);

    public static void Line(string text) => System.Console.Out.WriteLine(text);

    public static void Table(string[] headers, IEnumerable<string?[]> rows, string empty)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (string header in headers)
        {
            table.AddColumn(new TableColumn(header).NoWrap());
        }

        int count = 0;
        foreach (string?[] row in rows)
        {
            table.AddRow([.. row.Select(cell => Markup.Escape(cell ?? "-"))]);
            count++;
        }

        if (count == 0)
        {
            Line(empty);
            return;
        }

        Console.Value.Write(table);
    }

    public static string Time(DateTimeOffset? at) => at?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB"),
    };

    public static string Duration(long seconds) => seconds switch
    {
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds}s"),
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}m{seconds % 60:00}s"),
        < 86400 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}h{seconds % 3600 / 60:00}m"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 86400}d{seconds % 86400 / 3600:00}h"),
    };

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static IAnsiConsole CreateConsole()
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Out) });
        if (System.Console.IsOutputRedirected)
        {
            // Piped output has no terminal width; keep rows on one line for grep and friends.
            console.Profile.Width = 240;
        }

        return console;
    }
}

namespace Burrow.Cli.Screen;

/// <summary>Whether standard output is a terminal that can take the live console (cursor moves, alternate screen).</summary>
internal static class TerminalCheck
{
    public static bool StdoutIsTerminal() =>
        !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term && term != "dumb";
}

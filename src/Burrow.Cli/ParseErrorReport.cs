using System.CommandLine;
using System.CommandLine.Parsing;

namespace Burrow.Cli;

/// <summary>
/// What a command line that does not parse prints: the errors, a "did you mean" for a mistyped word,
/// and one line saying where the usage is; not the command's whole help, which buries the line that matters.
/// </summary>
internal static class ParseErrorReport
{
    /// <summary>Writes the report to <paramref name="error"/> and returns the exit code, 2 (a usage error, as the commands' own checks return).</summary>
    public static int Write(ParseResult parsed, TextWriter error)
    {
        foreach (ParseError e in parsed.Errors)
        {
            error.WriteLine(e.Message);
        }

        Command command = parsed.CommandResult.Command;
        foreach (string token in parsed.UnmatchedTokens)
        {
            if (Closest(token, Names(command)) is { } suggestion)
            {
                error.WriteLine($"Did you mean {suggestion} instead of {token}?");
            }
        }

        error.WriteLine($"Run '{CommandPath(parsed.CommandResult)} --help' for usage.");
        error.Flush();
        return 2;
    }

    /// <summary>The words that name the command, for example <c>burrow admin token create</c>.</summary>
    internal static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (CommandResult? c = command; c is not null; c = c.Parent as CommandResult)
        {
            // The root command's own name is the file that was run (burrow.dll under dotnet); people type burrow.
            names.Add(c.Parent is null ? "burrow" : c.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    private static IEnumerable<string> Names(Command command) =>
        command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
            .Concat(command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name)));

    /// <summary>The name nearest to <paramref name="typed"/> by edit distance, when it is near enough to be a typo.</summary>
    internal static string? Closest(string typed, IEnumerable<string> names)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string name in names)
        {
            int distance = Distance(typed, name);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (name, distance);
            }
        }

        // A third of the word may be wrong (two letters swapped in --subdomian is 2 edits), at least 1 and at most 3.
        return best is not null && bestDistance <= Math.Clamp(typed.TrimStart('-').Length / 3, 1, 3) ? best : null;
    }

    // Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours count 1 each.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}

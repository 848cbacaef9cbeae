using System.CommandLine;
using System.Text.RegularExpressions;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Tests.Commands;

/// <summary>Every flag an error hint or docs/errors.md tells a person to use is an option of some burrow command.</summary>
public sealed partial class ErrorHintFlagTests
{
    // Flags of other programs that the hints quote on purpose, with the program.
    private static readonly Dictionary<string, string> OtherPrograms = new(StringComparer.Ordinal)
    {
        ["--cert"] = "curl --cert/--key (ERR_BURROW_3009)",
        ["--wait"] = "code --wait, an editor (ERR_BURROW_7013)",
        ["--user"] = "systemctl --user (ERR_BURROW_7031)",
        ["--now"] = "systemctl --user disable --now (ERR_BURROW_7031)",
    };

    [Fact]
    public void Hints_of_the_catalog_name_only_flags_burrow_has()
    {
        HashSet<string> known = AllOptionNames();

        var unknown = ErrorCodes.All
            .SelectMany(e => Flags(e.Hint + " " + e.MessageTemplate).Select(flag => (e.Code, flag)))
            .Where(x => !known.Contains(x.flag) && !OtherPrograms.ContainsKey(x.flag))
            .ToList();

        Assert.True(unknown.Count == 0, "unknown flags: " + string.Join(", ", unknown.Select(x => $"{x.Code} {x.flag}")));
    }

    [Fact]
    public void Errors_doc_names_only_flags_burrow_has()
    {
        HashSet<string> known = AllOptionNames();

        var unknown = Flags(File.ReadAllText(Path.Combine(RepoRoot(), "docs", "errors.md")))
            .Where(flag => !known.Contains(flag) && !OtherPrograms.ContainsKey(flag))
            .Distinct()
            .ToList();

        Assert.True(unknown.Count == 0, "unknown flags in docs/errors.md: " + string.Join(", ", unknown));
    }

    [Fact]
    public void The_advice_of_2015_works_on_burrow_http()
    {
        Command http = Program.CreateRootCommand().Subcommands.Single(c => c.Name == "http");

        Assert.Contains(http.Options, o => o.Name == "--subdomain");
        Assert.Contains("--subdomain", ErrorCodes.HostnameOutOfScope.Hint, StringComparison.Ordinal);
    }

    private static HashSet<string> AllOptionNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Command>([Program.CreateRootCommand()]);
        while (pending.TryPop(out Command? command))
        {
            foreach (Option option in command.Options)
            {
                names.Add(option.Name);
                names.UnionWith(option.Aliases);
            }

            foreach (Command sub in command.Subcommands)
            {
                pending.Push(sub);
            }
        }

        return names;
    }

    private static IEnumerable<string> Flags(string text) => FlagPattern().Matches(text).Select(m => m.Groups["flag"].Value);

    private static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Burrow.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Burrow.slnx not found above " + AppContext.BaseDirectory);
    }

    // A flag is --word not glued to a word before it (so "x--y" and "---" are not flags).
    [GeneratedRegex(@"(?<![\w-])(?<flag>--[a-z][a-z0-9-]*)")]
    private static partial Regex FlagPattern();
}

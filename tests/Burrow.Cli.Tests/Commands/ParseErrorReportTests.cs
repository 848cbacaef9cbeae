using System.CommandLine;

namespace Burrow.Cli.Tests.Commands;

public sealed class ParseErrorReportTests
{
    [Fact]
    public void Mistyped_flag_prints_the_error_the_suggestion_and_one_usage_line()
    {
        ParseResult parsed = Program.CreateRootCommand().Parse(["http", "8080", "--subdomian", "demo"]);
        using var error = new StringWriter();

        int exit = ParseErrorReport.Write(parsed, error);

        string[] lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, exit);
        Assert.Contains(lines, l => l.Contains("--subdomian", StringComparison.Ordinal));
        Assert.Contains("Did you mean --subdomain instead of --subdomian?", lines);
        Assert.Equal("Run 'burrow http --help' for usage.", lines[^1]);
        Assert.InRange(lines.Length, 3, 5);
    }

    [Fact]
    public void Subcommand_path_is_named_in_the_usage_line()
    {
        ParseResult parsed = Program.CreateRootCommand().Parse(["admin", "tokn"]);
        using var error = new StringWriter();

        ParseErrorReport.Write(parsed, error);

        Assert.Contains("Did you mean token instead of tokn?", error.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("Run 'burrow admin --help' for usage." + Environment.NewLine, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--urll", "--url")]
    [InlineData("--inpsect", "--inspect")]
    [InlineData("--zzzzzz", null)]
    public void Closest_suggests_only_near_names(string typed, string? expected)
    {
        Assert.Equal(expected, ParseErrorReport.Closest(typed, ["--url", "--inspect", "--name"]));
    }
}

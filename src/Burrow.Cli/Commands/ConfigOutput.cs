using Burrow.Cli.Config;

namespace Burrow.Cli.Commands;

/// <summary>Prints config problems the one way every command does: each with its code and place, then each code's hint once.</summary>
internal static class ConfigOutput
{
    public static void PrintProblems(IReadOnlyList<ConfigProblem> problems, TextWriter error)
    {
        foreach (ConfigProblem problem in problems)
        {
            error.WriteLine(problem.ToString());
        }

        foreach (ConfigProblem problem in problems.DistinctBy(p => p.Code.Number))
        {
            error.WriteLine($"  {problem.Code.Code}: {problem.Code.Hint}");
        }
    }

    public static void PrintWarnings(IReadOnlyList<string> warnings, TextWriter error)
    {
        foreach (string warning in warnings)
        {
            error.WriteLine($"warning: {warning}");
        }
    }
}

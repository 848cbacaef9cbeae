using System.CommandLine;
using Burrow.Agent.Tunnels;
using Burrow.Cli.Config;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Commands;

/// <summary><c>burrow start NAME... | --all | --none</c>: runs the endpoints and tunnels named in the config file.</summary>
internal static class StartCommand
{
    public static Command Create()
    {
        var names = new Argument<string[]>("names") { Description = "Names of endpoints (or tunnels) of the config file to start.", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Start every endpoint and tunnel of the config file." };
        var none = new Option<bool>("--none") { Description = "Start the agent alone, with no tunnel (e.g. to add tunnels through the agent API)." };
        var command = new Command("start", "Start endpoints defined in the config file, by name.") { names, all, none };
        var connection = AgentConnection.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (connection.LoadConfig(parse) is not { } config)
            {
                return 2;
            }

            var problems = new List<ConfigProblem>();
            IReadOnlyList<TunnelDefinition> tunnels = Select(config, parse.GetValue(names) ?? [], parse.GetValue(all), parse.GetValue(none), problems);
            if (problems.Count > 0)
            {
                ConfigOutput.PrintProblems(problems, Console.Error);
                return 2;
            }

            return await connection.RunAsync(parse, config, tunnels, "start", cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The tunnels to start, in the order named (or the config's order for --all); problems for unknown names or nothing to start.</summary>
    internal static IReadOnlyList<TunnelDefinition> Select(BurrowConfig config, IReadOnlyList<string> names, bool all, bool none, List<ConfigProblem> problems)
    {
        string where = config.Files.Count == 0 ? $"{ConfigPaths.DefaultPath()} (it does not exist)" : string.Join(", ", config.Files);
        if (none)
        {
            if (names.Count > 0 || all)
            {
                problems.Add(ConfigProblem.Of(ErrorCodes.NothingToStart, "--none starts no endpoint, so it cannot be combined with names or --all"));
            }

            return [];
        }

        if (all)
        {
            if (config.Endpoints.Count == 0)
            {
                problems.Add(ConfigProblem.Of(ErrorCodes.NothingToStart, $"--all, but there are no endpoints or tunnels in {where}"));
            }

            return [.. config.Endpoints.Select(e => e.Tunnel)];
        }

        if (names.Count == 0)
        {
            problems.Add(ConfigProblem.Of(ErrorCodes.NothingToStart, "no endpoint names given"));
            return [];
        }

        var tunnels = new List<TunnelDefinition>();
        foreach (string name in names.Distinct(StringComparer.Ordinal))
        {
            if (config.Find(name) is { } endpoint)
            {
                tunnels.Add(endpoint.Tunnel);
            }
            else
            {
                problems.Add(ConfigProblem.Of(ErrorCodes.UnknownEndpoint, name, where));
            }
        }

        return tunnels;
    }
}

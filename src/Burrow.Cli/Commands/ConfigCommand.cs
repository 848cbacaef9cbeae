using System.CommandLine;
using System.Diagnostics;
using Burrow.Agent.Tunnels;
using Burrow.Cli.Config;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Commands;

/// <summary><c>burrow config add-authtoken | add-server | check | edit</c>: the agent's config file.</summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var command = new Command("config", "Manage the agent's config file (~/.config/burrow/burrow.yml, or --config / BURROW_CONFIG).");
        command.Subcommands.Add(AddAuthtoken("add-authtoken"));
        command.Subcommands.Add(AddSetting("add-server", "address", "Save the edge's agent address (host:port) to the config file.", "connect_url", "server_addr", "Server address", ValidateServer));
        command.Subcommands.Add(Check());
        command.Subcommands.Add(Edit());
        return command;
    }

    /// <summary><c>burrow authtoken TOKEN</c>: ngrok v2's spelling of <c>config add-authtoken</c>, which wrappers of the ngrok binary call.</summary>
    public static Command AuthtokenCommand()
    {
        Command command = AddAuthtoken("authtoken");
        command.Description = "Save the authtoken to the config file (ngrok v2's spelling of 'burrow config add-authtoken').";
        return command;
    }

    private static Command AddAuthtoken(string name) =>
        AddSetting(name, "token", "Save the authtoken to the config file.", "authtoken", "authtoken", "Authtoken", validate: null);

    private static Command AddSetting(string name, string argumentName, string description, string key, string version2Key, string what, Func<string, string?>? validate)
    {
        var value = new Argument<string>(argumentName);
        var config = AgentConnection.ConfigOption();
        var command = new Command(name, description) { value, config };
        command.SetAction(parse =>
        {
            string text = parse.GetValue(value)!.Trim();
            if (validate?.Invoke(text) is { } reason)
            {
                return Fail(ConfigProblem.Of(ErrorCodes.ConfigInvalidValue, $"burrow config {name}", argumentName, reason));
            }

            if ((OneFile(parse.GetValue(config), out string path) ?? ConfigFileWriter.SetAgentValue(path, key, version2Key, text)) is { } problem)
            {
                return Fail(problem);
            }

            Console.WriteLine($"{what} saved to configuration file: {path}");
            return 0;
        });
        return command;
    }

    private static string? ValidateServer(string value) =>
        EndpointParts.HasHostAndPort(value.StartsWith("tls://", StringComparison.OrdinalIgnoreCase) ? value[6..] : value)
            ? null
            : $"'{value}' is not host:port, e.g. tunnel.example.com:4443";

    private static Command Check()
    {
        var config = AgentConnection.ConfigOption();
        var command = new Command("check", "Check the config file and print what it defines, or every problem with its line.") { config };
        command.SetAction(parse =>
        {
            (IReadOnlyList<string> paths, bool _) = ConfigPaths.Resolve(parse.GetValue(config));
            var problems = new List<ConfigProblem>();
            // Here a missing default file is worth saying: the user asked about it.
            BurrowConfig merged = ConfigLoader.Load(paths, explicitPaths: true, problems);
            if (problems.Count > 0)
            {
                ConfigOutput.PrintProblems(problems, Console.Error);
                return 1;
            }

            PrintSummary(merged, Console.Out);
            ConfigOutput.PrintWarnings(merged.Warnings, Console.Out);
            return 0;
        });
        return command;
    }

    private static Command Edit()
    {
        var config = AgentConnection.ConfigOption();
        var command = new Command("edit", "Open the config file in $VISUAL or $EDITOR, then check it.") { config };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (OneFile(parse.GetValue(config), out string path) is { } problem)
            {
                return Fail(problem);
            }

            if (!File.Exists(path) && ConfigFileWriter.Write(path, "version: 3\nagent:\n  # authtoken: brw_...\n  # connect_url: tunnel.example.com:4443\nendpoints: []\n") is { } writeProblem)
            {
                return Fail(writeProblem);
            }

            string editor = Environment.GetEnvironmentVariable("VISUAL") is { Length: > 0 } visual ? visual
                : Environment.GetEnvironmentVariable("EDITOR") is { Length: > 0 } env ? env
                : "editor";
            // Through the shell, so "code --wait" style editors with arguments work; the path goes as $1, never spliced in.
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            foreach (string argument in new[] { "-c", editor + " \"$1\"", "sh", path })
            {
                start.ArgumentList.Add(argument);
            }

            try
            {
                using Process process = Process.Start(start)!;
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                if (process.ExitCode != 0)
                {
                    return Fail(ConfigProblem.Of(ErrorCodes.EditorFailed, editor, process.ExitCode == 127 ? "was not found" : $"exited with code {process.ExitCode}"));
                }
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                return Fail(ConfigProblem.Of(ErrorCodes.EditorFailed, editor, $"could not be started: {ex.Message.TrimEnd('.')}"));
            }

            var problems = new List<ConfigProblem>();
            BurrowConfig merged = ConfigLoader.Load([path], explicitPaths: true, problems);
            if (problems.Count > 0)
            {
                ConfigOutput.PrintProblems(problems, Console.Error);
                Console.Error.WriteLine($"The file was saved with these problems; run `burrow config edit` again to fix them.");
                return 1;
            }

            PrintSummary(merged, Console.Out);
            return 0;
        });
        return command;
    }

    private static void PrintSummary(BurrowConfig config, TextWriter output)
    {
        output.WriteLine(config.Files.Count == 1
            ? $"Valid configuration file at {config.Files[0]}"
            : $"Valid configuration, merged from {string.Join(", ", config.Files)} (later files win)");
        AgentSettings agent = config.Agent;
        output.WriteLine($"  authtoken     {(agent.Authtoken is null ? "(not set)" : "set")}");
        output.WriteLine($"  connect_url   {agent.ConnectUrl ?? "(not set: a local edge starts in the agent's process)"}");
        if (agent.EdgeCa is not null)
        {
            output.WriteLine($"  edge_ca       {agent.EdgeCa}");
        }

        if (agent.WebAddr is not null)
        {
            output.WriteLine($"  web_addr      {agent.WebAddr}");
        }

        if (agent.InspectDbSize is { } size && size != 0)
        {
            output.WriteLine(size < 0 ? "  inspect_db_size -1 (inspection off)" : $"  inspect_db_size {size} bytes");
        }

        output.WriteLine(config.Endpoints.Count == 0 ? "  no endpoints" : $"  {config.Endpoints.Count} endpoint(s):");
        foreach (EndpointConfig endpoint in config.Endpoints)
        {
            TunnelDefinition t = endpoint.Tunnel;
            string url = t.Hostname ?? (t.Subdomain is not null ? $"{t.Subdomain}.<domain>" : t.RemotePort is { } port ? $"port {port}" : "(random)");
            output.WriteLine($"    {endpoint.Name,-16} {t.Proto,-5} {url} -> {t.Upstream.Display}  ({endpoint.Location})");
        }
    }

    /// <summary>The one file a writing command works on; writing to a merge of several would be ambiguous.</summary>
    private static ConfigProblem? OneFile(string? flag, out string path)
    {
        (IReadOnlyList<string> paths, bool _) = ConfigPaths.Resolve(flag);
        path = paths.Count > 0 ? paths[^1] : ConfigPaths.DefaultPath();
        return paths.Count == 1 ? null : ConfigProblem.Of(ErrorCodes.ConfigFileNotWritable, string.Join(",", paths), "commands that write take exactly one file");
    }

    private static int Fail(ConfigProblem problem)
    {
        ConfigOutput.PrintProblems([problem], Console.Error);
        return 1;
    }
}

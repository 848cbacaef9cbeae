using System.CommandLine;
using Burrow.Cli.Config;
using Burrow.Cli.Service;
using Burrow.Cli.Trust;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Versioning;

namespace Burrow.Cli.Commands;

/// <summary>
/// <c>burrow service install | uninstall</c>: the agent as a systemd user unit (<c>~/.config/systemd/user/burrow-agent.service</c>)
/// running <c>burrow start --all</c> (or the endpoints named) with the config file, started now and with the user's session.
/// </summary>
/// <remarks>
/// The config is checked before anything is written, so a typo shows here and not in the journal. Whatever
/// systemctl could not do is printed as the commands to run, and makes the exit code non-zero.
/// </remarks>
internal static class ServiceCommand
{
    public static Command Create() => Create(ServiceHost.OfThisMachine);

    /// <summary>The command with its effects on <paramref name="host"/> (made when the command runs).</summary>
    public static Command Create(Func<ServiceHost> host)
    {
        var command = new Command("service", "Run the agent as a systemd user service: burrow start --all with the config file, at login or boot.");
        command.Subcommands.Add(Install(host));
        command.Subcommands.Add(Uninstall(host));
        return command;
    }

    private static Option<string> NameOption() => new("--name")
    {
        Description = $"The unit's name, for more than one agent (default {UserUnit.DefaultName}: {UserUnit.DefaultName}.service).",
        DefaultValueFactory = _ => UserUnit.DefaultName,
    };

    private static Option<bool> DryRunOption(string what) => new("--dry-run") { Description = what };

    private static Command Install(Func<ServiceHost> makeHost)
    {
        var names = new Argument<string[]>("names") { Description = "Endpoints (or tunnels) of the config file to run; default: all of them.", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Run every endpoint and tunnel of the config file (the default when no names are given)." };
        var config = AgentConnection.ConfigOption();
        var name = NameOption();
        var dryRun = DryRunOption("Print the unit and the systemctl commands, and change nothing.");
        var command = new Command("install", "Write a systemd user unit that runs 'burrow start' with the config file, then enable and start it.")
        {
            names, all, config, name, dryRun,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            ServiceHost host = makeHost();
            string unitName = parse.GetValue(name)!;
            if (!UserUnit.IsValidName(unitName))
            {
                return Usage(host, ConfigProblem.Of(ErrorCodes.ConfigInvalidValue, "burrow service install", "--name",
                    $"'{unitName}' is not a unit name: letters, digits, '-', '_' and '.', without .service"));
            }

            string[] chosen = parse.GetValue(names) ?? [];
            if (chosen.Length > 0 && parse.GetValue(all))
            {
                return Usage(host, ConfigProblem.Of(ErrorCodes.ConflictingOptions, "--all", "endpoint names", "--all runs every endpoint of the config"));
            }

            // The same files and checks as burrow start, now rather than at the first start in the background.
            (IReadOnlyList<string> paths, bool explicitPaths) = ConfigPaths.Resolve(parse.GetValue(config));
            var problems = new List<ConfigProblem>();
            BurrowConfig loaded = ConfigLoader.Load(paths, explicitPaths, problems);
            if (problems.Count == 0)
            {
                StartCommand.Select(loaded, chosen, all: chosen.Length == 0, none: false, problems);
            }

            if (problems.Count > 0)
            {
                ConfigOutput.PrintProblems(problems, host.Error);
                return 2;
            }

            ConfigOutput.PrintWarnings(loaded.Warnings, host.Error);
            foreach (string advice in Advice(loaded))
            {
                host.Error.WriteLine($"warning: {advice}");
            }

            List<string> start = ["start", .. chosen.Length == 0 ? ["--all"] : chosen, "--config", string.Join(',', loaded.Files.Select(Path.GetFullPath))];
            string unit = UserUnit.Render(host.Program, start, BurrowVersion.Full, host.DotnetRoot);
            string path = Path.Combine(host.UnitDirectory, unitName + ".service");
            string service = unitName + ".service";
            string[][] steps = [["daemon-reload"], ["enable", service], ["restart", service]];

            if (parse.GetValue(dryRun))
            {
                // Every line but the unit's own is a comment, so the output as a whole is still the unit file.
                host.Out.WriteLine($"# burrow service install --dry-run changed nothing. It would write {path}:");
                host.Out.Write(unit);
                host.Out.WriteLine("# and then run:");
                foreach (string[] step in steps)
                {
                    host.Out.WriteLine($"#   {Systemctl(step)}");
                }

                return 0;
            }

            if (!host.IsLinux)
            {
                return Fail(host, "install", ErrorCodes.ServiceUnsupported.ToError(OperatingSystemName(), "has no systemd"));
            }

            if (NotOurs(path))
            {
                return Fail(host, "install", ErrorCodes.ServiceUnitNotOurs.ToError(path));
            }

            try
            {
                Directory.CreateDirectory(host.UnitDirectory);
                string temporary = path + ".tmp";
                await File.WriteAllTextAsync(temporary, unit, cancellationToken).ConfigureAwait(false);
                File.Move(temporary, path, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Fail(host, "install", ErrorCodes.ServiceUnitNotWritable.ToError(path, ex.Message));
            }

            host.Out.WriteLine($"Wrote {path}: {Line(host.Program)} {string.Join(' ', start.Select(ExternalCommand.Quote))}");
            if (await RunStepsAsync(host, "install", path, steps, null, cancellationToken).ConfigureAwait(false) is { } failed)
            {
                return failed;
            }

            host.Out.WriteLine($"Started {service}. Status: systemctl --user status {unitName}; logs: journalctl --user -u {unitName} -f");
            if (!host.Lingers())
            {
                host.Out.WriteLine($"It runs while {host.UserName} is logged in. To start it at boot and keep it after logout: loginctl enable-linger {host.UserName}");
            }

            return 0;
        });
        return command;
    }

    private static Command Uninstall(Func<ServiceHost> makeHost)
    {
        var name = NameOption();
        var dryRun = DryRunOption("Print what would be stopped and removed, and change nothing.");
        var command = new Command("uninstall", "Stop and disable the agent's systemd user unit and remove its file.") { name, dryRun };
        command.SetAction(async (parse, cancellationToken) =>
        {
            ServiceHost host = makeHost();
            string unitName = parse.GetValue(name)!;
            if (!UserUnit.IsValidName(unitName))
            {
                return Usage(host, ConfigProblem.Of(ErrorCodes.ConfigInvalidValue, "burrow service uninstall", "--name",
                    $"'{unitName}' is not a unit name: letters, digits, '-', '_' and '.', without .service"));
            }

            string path = Path.Combine(host.UnitDirectory, unitName + ".service");
            string service = unitName + ".service";
            if (!File.Exists(path))
            {
                host.Out.WriteLine($"There is no unit {path}: nothing to remove.");
                return 0;
            }

            if (NotOurs(path))
            {
                return Fail(host, "uninstall", ErrorCodes.ServiceUnitNotOurs.ToError(path));
            }

            if (parse.GetValue(dryRun))
            {
                host.Out.WriteLine($"burrow service uninstall --dry-run changed nothing. It would run {Systemctl(["disable", "--now", service])}, remove {path}, and run {Systemctl(["daemon-reload"])}.");
                return 0;
            }

            if (!host.IsLinux)
            {
                return Fail(host, "uninstall", ErrorCodes.ServiceUnsupported.ToError(OperatingSystemName(), "has no systemd"));
            }

            // Stopped first: with the file gone systemd could no longer disable it by name.
            int? stopFailed = await RunStepsAsync(host, "uninstall", path, [["disable", "--now", service]], "then remove the file and reload", cancellationToken).ConfigureAwait(false);
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Fail(host, "uninstall", ErrorCodes.ServiceUnitNotWritable.ToError(path, ex.Message));
            }

            host.Out.WriteLine($"Removed {path}.");
            if (stopFailed is { } code)
            {
                host.Error.WriteLine($"  then: {Systemctl(["daemon-reload"])}");
                return code;
            }

            return await RunStepsAsync(host, "uninstall", path, [["daemon-reload"]], null, cancellationToken).ConfigureAwait(false) ?? 0;
        });
        return command;
    }

    /// <summary>Runs the systemctl steps in order; at the first that fails, prints what to run by hand and returns the exit code.</summary>
    private static async Task<int?> RunStepsAsync(ServiceHost host, string verb, string path, string[][] steps, string? andThen, CancellationToken cancellationToken)
    {
        for (int i = 0; i < steps.Length; i++)
        {
            string reason;
            if (host.Systemctl is null)
            {
                reason = "there is no systemctl on the PATH";
            }
            else
            {
                (int exit, string output) = await host.Systemctl(steps[i], cancellationToken).ConfigureAwait(false);
                if (exit == 0)
                {
                    continue;
                }

                reason = output.Length > 0 ? output.ReplaceLineEndings(" ").TrimEnd('.') : $"exit status {exit}";
            }

            host.Error.WriteLine($"burrow service {verb}: {ErrorCodes.ServiceNotStarted.ToError(path, Systemctl(steps[i]), reason)}");
            host.Error.WriteLine($"  {ErrorCodes.ServiceNotStarted.Hint}");
            host.Error.WriteLine("  to finish by hand:");
            foreach (string[] step in steps[i..])
            {
                host.Error.WriteLine($"    {Systemctl(step)}");
            }

            if (andThen is not null)
            {
                host.Error.WriteLine($"  ({andThen})");
            }

            return 1;
        }

        return null;
    }

    /// <summary>What a service would miss that an agent started from this shell has.</summary>
    private static IEnumerable<string> Advice(BurrowConfig config)
    {
        if (config.Agent.Authtoken is null)
        {
            yield return "the config file has no authtoken, and the service does not see this shell's BURROW_AUTHTOKEN: save it with burrow config add-authtoken TOKEN.";
        }

        if (config.Agent.ConnectUrl is null)
        {
            yield return "the config file names no edge (connect_url), so the service starts a local edge on this machine: save yours with burrow config add-server HOST:PORT.";
        }
    }

    private static bool NotOurs(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            using var reader = new StreamReader(path);
            return reader.ReadLine() is not { } first || !first.StartsWith(UserUnit.Marker, StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static string Systemctl(IEnumerable<string> arguments) => ExternalCommand.Line(["systemctl", "--user", .. arguments]);

    private static string Line(IEnumerable<string> words) => ExternalCommand.Line(words);

    private static string OperatingSystemName() =>
        OperatingSystem.IsMacOS() ? "macOS" : OperatingSystem.IsWindows() ? "Windows" : OperatingSystem.IsLinux() ? "this Linux" : "this system";

    private static int Usage(ServiceHost host, ConfigProblem problem)
    {
        ConfigOutput.PrintProblems([problem], host.Error);
        return 2;
    }

    private static int Fail(ServiceHost host, string verb, ProtocolError error)
    {
        host.Error.WriteLine($"burrow service {verb}: {error}");
        if (error.Lookup() is { } known)
        {
            host.Error.WriteLine($"  {known.Hint}");
        }

        return 1;
    }
}

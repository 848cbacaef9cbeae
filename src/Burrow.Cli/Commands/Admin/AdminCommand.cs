using System.CommandLine;

namespace Burrow.Cli.Commands.Admin;

/// <summary><c>burrow admin</c>: drives an edge's admin API (tokens, reservations, sessions, audit).</summary>
internal static class AdminCommand
{
    public static Command Create()
    {
        var settings = new AdminSettings();
        var command = new Command("admin", "Manage an edge through its admin API: accounts, authtokens, reserved domains and addresses, live sessions, audit events, certificates.");
        foreach (Option option in settings.All)
        {
            command.Options.Add(option);
        }

        command.Subcommands.Add(AccountCommands.Create(settings));
        command.Subcommands.Add(TokenCommands.Create(settings));
        command.Subcommands.Add(DomainCommands.Create(settings));
        command.Subcommands.Add(AddressCommands.Create(settings));
        command.Subcommands.Add(SessionCommands.Create(settings));
        command.Subcommands.Add(SessionCommands.CreateTunnels(settings));
        command.Subcommands.Add(TrafficCommand.Create(settings));
        command.Subcommands.Add(AuditCommand.Create(settings));
        command.Subcommands.Add(CertificateCommand.Create(settings));
        command.Subcommands.Add(NodeCommand.Create(settings));
        return command;
    }

    /// <summary>Runs an admin action with a client, printing failures as <c>code: message</c> (exit 1).</summary>
    public static void SetAction(this Command command, AdminSettings settings, Func<ParseResult, AdminClient, bool, CancellationToken, Task> action)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                using AdminClient client = settings.CreateClient(parse);
                await action(parse, client, parse.GetValue(settings.Json), cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (AdminCliException ex)
            {
                await Console.Error.WriteLineAsync($"burrow admin: {ex.Code}: {ex.Message}").ConfigureAwait(false);
                return 1;
            }
        });
    }
}

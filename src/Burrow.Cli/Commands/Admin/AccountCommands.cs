using System.CommandLine;
using Burrow.Edge.Admin.Models;

namespace Burrow.Cli.Commands.Admin;

/// <summary><c>burrow admin accounts create|list</c>.</summary>
internal static class AccountCommands
{
    public static Command Create(AdminSettings settings)
    {
        var name = new Argument<string>("name") { Description = "The account's name (unique)." };
        var create = new Command("create", "Create an account.") { name };
        create.SetAction(settings, async (parse, client, json, ct) =>
        {
            AccountInfo account = await client.PostAsync("accounts", new AccountRequest(parse.GetValue(name)), AdminJsonContext.Default.AccountRequest, AdminJsonContext.Default.AccountInfo, ct).ConfigureAwait(false);
            Print(client, json, [account]);
        });

        var list = new Command("list", "List accounts.");
        list.SetAction(settings, async (parse, client, json, ct) =>
        {
            IReadOnlyList<AccountInfo> accounts = await client.GetAsync("accounts", AdminJsonContext.Default.IReadOnlyListAccountInfo, ct).ConfigureAwait(false);
            Print(client, json, accounts);
        });

        return new Command("accounts", "Accounts: they own authtokens, API keys and reservations.") { create, list };
    }

    private static void Print(AdminClient client, bool json, IReadOnlyList<AccountInfo> accounts)
    {
        if (json)
        {
            AdminOutput.Json(client.LastBody);
            return;
        }

        AdminOutput.Table(["ID", "NAME", "CREATED"], accounts.Select(a => new[] { a.Id, a.Name, AdminOutput.Time(a.CreatedAt) }), "No accounts.");
    }
}

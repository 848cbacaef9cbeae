using System.CommandLine;
using System.Globalization;
using Burrow.Edge.Admin.Models;

namespace Burrow.Cli.Commands.Admin;

/// <summary><c>burrow admin token create|list|revoke</c>.</summary>
internal static class TokenCommands
{
    public static Command Create(AdminSettings settings)
    {
        var name = new Option<string>("--name") { Description = "A name for people, e.g. laptop.", DefaultValueFactory = _ => "cli" };
        var account = new Option<string?>("--account") { Description = "The owning account's id; default the API key's account." };
        var expiresIn = new Option<TimeSpan?>("--expires-in") { Description = "Lifetime, e.g. 12h or 30d; default never.", CustomParser = ParseLifetime };
        var hostnames = new Option<string[]>("--hostname") { Description = "A hostname pattern it may bind (repeatable): demo.example.com, *.alice.example.com, or a bare label. Default any." };
        var noTcp = new Option<bool>("--no-tcp") { Description = "Refuse TCP tunnels." };
        var noTls = new Option<bool>("--no-tls") { Description = "Refuse TLS tunnels." };
        var maxTunnels = new Option<int?>("--max-tunnels") { Description = "Most tunnels at once." };
        var maxSessions = new Option<int?>("--max-sessions") { Description = "Most sessions at once." };
        var create = new Command("create", "Create an authtoken; its secret is printed this once.") { name, account, expiresIn, hostnames, noTcp, noTls, maxTunnels, maxSessions };
        create.SetAction(settings, async (parse, client, json, ct) =>
        {
            var scopes = new ScopesInfo(parse.GetValue(hostnames) ?? [], !parse.GetValue(noTcp), !parse.GetValue(noTls), parse.GetValue(maxTunnels), parse.GetValue(maxSessions));
            DateTimeOffset? expiry = parse.GetValue(expiresIn) is { } lifetime ? DateTimeOffset.UtcNow + lifetime : null;
            var request = new AuthtokenRequest(parse.GetValue(name), parse.GetValue(account), expiry, scopes);
            CreatedAuthtokenInfo created = await client.PostAsync("authtokens", request, AdminJsonContext.Default.AuthtokenRequest, AdminJsonContext.Default.CreatedAuthtokenInfo, ct).ConfigureAwait(false);
            if (json)
            {
                AdminOutput.Json(client.LastBody);
                return;
            }

            Print([created.Authtoken]);
            AdminOutput.Line("");
            AdminOutput.Line($"Authtoken (shown once, store it now): {created.Token}");
        });

        var listAccount = new Option<string?>("--account") { Description = "Only this account's tokens." };
        var list = new Command("list", "List authtokens (secrets are never shown again).") { listAccount };
        list.SetAction(settings, async (parse, client, json, ct) =>
        {
            string path = parse.GetValue(listAccount) is { Length: > 0 } a ? "authtokens?account_id=" + Uri.EscapeDataString(a) : "authtokens";
            IReadOnlyList<AuthtokenInfo> tokens = await client.GetAsync(path, AdminJsonContext.Default.IReadOnlyListAuthtokenInfo, ct).ConfigureAwait(false);
            if (json)
            {
                AdminOutput.Json(client.LastBody);
                return;
            }

            Print(tokens);
        });

        var id = new Argument<string>("id") { Description = "The token's id (tok_...)." };
        var revoke = new Command("revoke", "Revoke an authtoken.") { id };
        revoke.SetAction(settings, async (parse, client, json, ct) =>
        {
            AuthtokenInfo token = await client.DeleteAsync("authtokens/" + Uri.EscapeDataString(parse.GetValue(id)!), AdminJsonContext.Default.AuthtokenInfo, ct).ConfigureAwait(false);
            if (json)
            {
                AdminOutput.Json(client.LastBody);
                return;
            }

            AdminOutput.Line($"Revoked {token.Id} ({token.Name}) at {AdminOutput.Time(token.RevokedAt)}.");
        });

        return new Command("token", "Authtokens agents connect with.") { create, list, revoke };
    }

    private static void Print(IReadOnlyList<AuthtokenInfo> tokens) =>
        AdminOutput.Table(
            ["ID", "NAME", "ACCOUNT", "HINT", "SCOPES", "CREATED", "EXPIRES", "REVOKED"],
            tokens.Select(t => new[] { t.Id, t.Name, t.AccountId, t.Hint + "...", Describe(t.Scopes), AdminOutput.Time(t.CreatedAt), AdminOutput.Time(t.ExpiresAt), AdminOutput.Time(t.RevokedAt) }),
            "No authtokens.");

    private static string Describe(ScopesInfo scopes)
    {
        var parts = new List<string> { scopes.Hostnames is { Count: > 0 } h ? string.Join(',', h) : "any host" };
        if (scopes.AllowTcp == false)
        {
            parts.Add("no tcp");
        }

        if (scopes.AllowTls == false)
        {
            parts.Add("no tls");
        }

        if (scopes.MaxTunnels is { } t)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"max {t} tunnels"));
        }

        if (scopes.MaxSessions is { } s)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"max {s} sessions"));
        }

        return string.Join("; ", parts);
    }

    private static TimeSpan? ParseLifetime(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (text.EndsWith('d') && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int days) && days > 0)
        {
            return TimeSpan.FromDays(days);
        }

        if (Durations.TryParse(text, out TimeSpan value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a lifetime; use for example 12h or 30d.");
        return null;
    }
}

using System.CommandLine;
using Burrow.Edge.Admin.Models;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Commands.Admin;

/// <summary><c>burrow admin domain reserve|release|list|policy</c>.</summary>
internal static class DomainCommands
{
    public static Command Create(AdminSettings settings)
    {
        var hostname = new Argument<string>("hostname") { Description = "A full hostname, or a bare label for <label>.<base domain>." };
        var account = new Option<string?>("--account") { Description = "The owning account's id; default the API key's account." };
        var description = new Option<string?>("--description") { Description = "A note for people." };
        var reserve = new Command("reserve", "Reserve a hostname for an account: only its tokens may bind it.") { hostname, account, description };
        reserve.SetAction(settings, async (parse, client, json, ct) =>
        {
            var request = new ReservedDomainRequest(parse.GetValue(hostname), parse.GetValue(account), parse.GetValue(description));
            ReservedDomainInfo domain = await client.PostAsync("reserved_domains", request, AdminJsonContext.Default.ReservedDomainRequest, AdminJsonContext.Default.ReservedDomainInfo, ct).ConfigureAwait(false);
            if (json)
            {
                AdminOutput.Json(client.LastBody);
                return;
            }

            Print([domain]);
        });

        var target = new Argument<string>("domain") { Description = "The reservation's id (rd_...) or its hostname." };
        var release = new Command("release", "Release a reserved hostname.") { target };
        release.SetAction(settings, async (parse, client, json, ct) =>
        {
            (string id, string given) = await ResolveAsync(client, parse.GetValue(target)!, ct).ConfigureAwait(false);
            await client.DeleteAsync("reserved_domains/" + Uri.EscapeDataString(id), ct).ConfigureAwait(false);
            AdminOutput.Line(json ? $"{{\"released\": \"{id}\"}}" : $"Released {given}.");
        });

        var listAccount = new Option<string?>("--account") { Description = "Only this account's reservations." };
        var list = new Command("list", "List reserved hostnames.") { listAccount };
        list.SetAction(settings, async (parse, client, json, ct) =>
        {
            string path = parse.GetValue(listAccount) is { Length: > 0 } a ? "reserved_domains?account_id=" + Uri.EscapeDataString(a) : "reserved_domains";
            IReadOnlyList<ReservedDomainInfo> domains = await client.GetAsync(path, AdminJsonContext.Default.IReadOnlyListReservedDomainInfo, ct).ConfigureAwait(false);
            if (json)
            {
                AdminOutput.Json(client.LastBody);
                return;
            }

            Print(domains);
        });

        Command policy = PinnedPolicyCommands.Create(settings, new PinnedPolicyCommands.Kind<ReservedDomainInfo>(
            "reserved_domains", "domain", "The reservation's id (rd_...) or its hostname.", "http", ResolveAsync, AdminJsonContext.Default.ReservedDomainInfo), "hostname");
        return new Command("domain", "Reserved hostnames.") { reserve, release, list, policy };
    }

    /// <summary>The reservation's id from its id, hostname, or bare label under the base domain; and the name as given.</summary>
    private static async Task<(string Id, string Name)> ResolveAsync(AdminClient client, string target, CancellationToken ct)
    {
        string given = target.Trim().TrimEnd('.').ToLowerInvariant();
        if (given.StartsWith("rd_", StringComparison.Ordinal))
        {
            return (given, given);
        }

        IReadOnlyList<ReservedDomainInfo> all = await client.GetAsync("reserved_domains", AdminJsonContext.Default.IReadOnlyListReservedDomainInfo, ct).ConfigureAwait(false);
        ReservedDomainInfo? match = all.FirstOrDefault(d => d.Hostname == given)
            ?? all.FirstOrDefault(d => !given.Contains('.', StringComparison.Ordinal) && d.Hostname.StartsWith(given + ".", StringComparison.Ordinal));
        return match is not null
            ? (match.Id, given)
            : throw new AdminCliException(ErrorCodes.AdminNotFound, ErrorCodes.AdminNotFound.FormatMessage("reserved domain", given));
    }

    private static void Print(IReadOnlyList<ReservedDomainInfo> domains) =>
        AdminOutput.Table(["ID", "HOSTNAME", "ACCOUNT", "DESCRIPTION", "POLICY", "CREATED"],
            domains.Select(d => new[] { d.Id, d.Hostname, d.AccountId, d.Description, PinnedPolicyCommands.Summary(d.TrafficPolicy), AdminOutput.Time(d.CreatedAt) }), "No reserved domains.");
}

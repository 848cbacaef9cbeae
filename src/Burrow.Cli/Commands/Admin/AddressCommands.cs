using System.CommandLine;
using System.Globalization;
using Burrow.Edge.Admin.Models;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Commands.Admin;

/// <summary><c>burrow admin address reserve|release|list|policy</c>.</summary>
internal static class AddressCommands
{
    public static Command Create(AdminSettings settings)
    {
        var port = new Argument<int>("port") { Description = "The edge's public TCP port to reserve." };
        var account = new Option<string?>("--account") { Description = "The owning account's id; default the API key's account." };
        var description = new Option<string?>("--description") { Description = "A note for people." };
        var reserve = new Command("reserve", "Reserve a TCP port for an account: only its tokens may bind it.") { port, account, description };
        reserve.SetAction(settings, async (parse, client, json, ct) =>
        {
            var request = new ReservedAddressRequest(parse.GetValue(port), parse.GetValue(account), parse.GetValue(description));
            ReservedAddressInfo address = await client.PostAsync("reserved_addrs", request, AdminJsonContext.Default.ReservedAddressRequest, AdminJsonContext.Default.ReservedAddressInfo, ct).ConfigureAwait(false);
            if (json)
            {
                AdminOutput.Json(client.LastBody);
                return;
            }

            Print([address]);
        });

        var target = new Argument<string>("address") { Description = "The reservation's id (ra_...) or its port." };
        var release = new Command("release", "Release a reserved TCP port.") { target };
        release.SetAction(settings, async (parse, client, json, ct) =>
        {
            (string id, string given) = await ResolveAsync(client, parse.GetValue(target)!, ct).ConfigureAwait(false);
            await client.DeleteAsync("reserved_addrs/" + Uri.EscapeDataString(id), ct).ConfigureAwait(false);
            AdminOutput.Line(json ? $"{{\"released\": \"{id}\"}}" : $"Released {given}.");
        });

        var listAccount = new Option<string?>("--account") { Description = "Only this account's reservations." };
        var list = new Command("list", "List reserved TCP ports.") { listAccount };
        list.SetAction(settings, async (parse, client, json, ct) =>
        {
            string path = parse.GetValue(listAccount) is { Length: > 0 } a ? "reserved_addrs?account_id=" + Uri.EscapeDataString(a) : "reserved_addrs";
            IReadOnlyList<ReservedAddressInfo> addresses = await client.GetAsync(path, AdminJsonContext.Default.IReadOnlyListReservedAddressInfo, ct).ConfigureAwait(false);
            if (json)
            {
                AdminOutput.Json(client.LastBody);
                return;
            }

            Print(addresses);
        });

        Command policy = PinnedPolicyCommands.Create(settings, new PinnedPolicyCommands.Kind<ReservedAddressInfo>(
            "reserved_addrs", "address", "The reservation's id (ra_...) or its port.", "tcp", ResolveAsync, AdminJsonContext.Default.ReservedAddressInfo), "TCP port");
        return new Command("address", "Reserved TCP addresses (ports of the edge).") { reserve, release, list, policy };
    }

    /// <summary>The reservation's id from its id, port or <c>host:port</c>; and the address as given.</summary>
    private static async Task<(string Id, string Name)> ResolveAsync(AdminClient client, string target, CancellationToken ct)
    {
        string given = target.Trim();
        if (given.StartsWith("ra_", StringComparison.Ordinal))
        {
            return (given, given);
        }

        string portText = given[(given.LastIndexOf(':') + 1)..];
        IReadOnlyList<ReservedAddressInfo> all = await client.GetAsync("reserved_addrs", AdminJsonContext.Default.IReadOnlyListReservedAddressInfo, ct).ConfigureAwait(false);
        ReservedAddressInfo? match = int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? all.FirstOrDefault(a => a.Port == p) : null;
        return match is not null
            ? (match.Id, given)
            : throw new AdminCliException(ErrorCodes.AdminNotFound, ErrorCodes.AdminNotFound.FormatMessage("reserved TCP address", given));
    }

    private static void Print(IReadOnlyList<ReservedAddressInfo> addresses) =>
        AdminOutput.Table(["ID", "ADDRESS", "ACCOUNT", "DESCRIPTION", "POLICY", "CREATED"],
            addresses.Select(a => new[] { a.Id, a.Address, a.AccountId, a.Description, PinnedPolicyCommands.Summary(a.TrafficPolicy), AdminOutput.Time(a.CreatedAt) }), "No reserved TCP addresses.");
}

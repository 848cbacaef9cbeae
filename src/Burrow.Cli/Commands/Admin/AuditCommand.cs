using System.CommandLine;
using System.Globalization;
using System.Text;
using Burrow.Edge.Admin.Models;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Commands.Admin;

/// <summary><c>burrow admin audit</c>: reads audit events, newest first.</summary>
internal static class AuditCommand
{
    public static Command Create(AdminSettings settings)
    {
        var kind = new Option<string?>("--kind") { Description = "Only events of this kind, e.g. token.created, session.opened, tunnel.refused." };
        var account = new Option<string?>("--account") { Description = "Only this account's events." };
        var since = new Option<string?>("--since") { Description = "Only events since a time (2026-01-31T12:00:00Z) or a duration ago (30m, 2h)." };
        var limit = new Option<int>("--limit") { Description = "Most events to show.", DefaultValueFactory = _ => 50 };
        var command = new Command("audit", "Read audit events, newest first.") { kind, account, since, limit };
        command.SetAction(settings, async (parse, client, json, ct) =>
        {
            var query = new StringBuilder("audit_events?limit=").Append(parse.GetValue(limit).ToString(CultureInfo.InvariantCulture));
            if (parse.GetValue(kind) is { Length: > 0 } k)
            {
                query.Append("&kind=").Append(Uri.EscapeDataString(k));
            }

            if (parse.GetValue(account) is { Length: > 0 } a)
            {
                query.Append("&account_id=").Append(Uri.EscapeDataString(a));
            }

            if (parse.GetValue(since) is { Length: > 0 } s)
            {
                DateTimeOffset from = Durations.TryParse(s, out TimeSpan ago) ? DateTimeOffset.UtcNow - ago
                    : DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at) ? at
                    : throw new AdminCliException(ErrorCodes.AdminBadRequest, ErrorCodes.AdminBadRequest.FormatMessage($"--since '{s}' is neither a time nor a duration"));
                query.Append("&since=").Append(Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture)));
            }

            IReadOnlyList<AuditEventInfo> events = await client.GetAsync(query.ToString(), AdminJsonContext.Default.IReadOnlyListAuditEventInfo, ct).ConfigureAwait(false);
            if (json)
            {
                AdminOutput.Json(client.LastBody);
                return;
            }

            AdminOutput.Table(["ID", "TIME", "KIND", "ACCOUNT", "SESSION", "SUBJECT", "ADDRESS", "DETAIL"],
                events.Select(e => new[] { AdminOutput.Number(e.Id), AdminOutput.Time(e.At), e.Kind, e.AccountId, e.SessionId, e.Subject, e.Address, e.Detail }),
                "No audit events.");
        });
        return command;
    }
}

using System.CommandLine;
using Burrow.Edge.Admin.Models;

namespace Burrow.Cli.Commands.Admin;

/// <summary><c>burrow admin certs</c>: the certificates in the control store and how their renewal goes.</summary>
internal static class CertificateCommand
{
    public static Command Create(AdminSettings settings)
    {
        var command = new Command("certs", "List the edge's certificates: names, issuer, expiry, state (valid, renewal-failing, pending, expired), last error, next attempt.");
        command.SetAction(settings, async (parse, client, json, ct) =>
        {
            IReadOnlyList<CertificateInfo> certificates = await client.GetAsync("certificates", AdminJsonContext.Default.IReadOnlyListCertificateInfo, ct).ConfigureAwait(false);
            if (json)
            {
                AdminOutput.Json(client.LastBody);
                return;
            }

            // The error's code in the table, its whole text below it: a table cell would cut it to the terminal's width.
            AdminOutput.Table(["NAMES", "STATE", "ISSUER", "NOT AFTER", "LAST ERROR", "NEXT ATTEMPT"],
                certificates.Select(c => new[]
                {
                    string.Join(", ", c.Names), c.State, c.Issuer, AdminOutput.Time(c.NotAfter),
                    c.LastError is { } e ? e.Split(':', 2)[0] : null, AdminOutput.Time(c.NextAttempt),
                }),
                "No certificates: the edge gets one over ACME with --acme-email.");
            foreach (CertificateInfo c in certificates.Where(c => c.LastError is not null))
            {
                AdminOutput.Line($"{string.Join(", ", c.Names)}: last error at {AdminOutput.Time(c.LastAttempt)}: {c.LastError}");
            }
        });
        return command;
    }
}

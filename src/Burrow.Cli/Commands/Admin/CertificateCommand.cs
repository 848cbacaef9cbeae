using System.CommandLine;
using Burrow.Edge.Admin.Models;

namespace Burrow.Cli.Commands.Admin;

/// <summary><c>burrow admin certs [revoke NAMES]</c>: the certificates in the control store and how their renewal goes; revoking one.</summary>
internal static class CertificateCommand
{
    public static Command Create(AdminSettings settings)
    {
        var command = new Command("certs", "List the edge's certificates: names, issuer, expiry, state (valid, renewal-failing, revoked, pending, expired), last error, next attempt.");
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
        command.Subcommands.Add(Revoke(settings));
        return command;
    }

    private static Command Revoke(AdminSettings settings)
    {
        var names = new Argument<string[]>("names") { Description = "The certificate's names as 'burrow admin certs' lists them (e.g. '*.tunnel.example.com' tunnel.example.com).", Arity = ArgumentArity.OneOrMore };
        var reason = new Option<string>("--reason") { Description = "Why: unspecified, keyCompromise (its key leaked), affiliationChanged, superseded or cessationOfOperation.", DefaultValueFactory = _ => "unspecified" };
        reason.AcceptOnlyFromAmong("unspecified", "keyCompromise", "affiliationChanged", "superseded", "cessationOfOperation");
        var revoke = new Command("revoke", "Revoke a certificate the edge ordered, at its CA; every edge then orders and serves a new one at once.") { names, reason };
        revoke.SetAction(settings, async (parse, client, json, ct) =>
        {
            var request = new RevokeCertificateRequest(parse.GetValue(names), parse.GetValue(reason));
            CertificateInfo revoked = await client.PostAsync("certificates/revoke", request, AdminJsonContext.Default.RevokeCertificateRequest, AdminJsonContext.Default.CertificateInfo, ct).ConfigureAwait(false);
            if (json)
            {
                AdminOutput.Json(client.LastBody);
                return;
            }

            AdminOutput.Line($"Revoked {string.Join(", ", revoked.Names)} (serial {revoked.Serial}, {parse.GetValue(reason)}): the edges are ordering its replacement; 'burrow admin certs' shows it once it is served.");
        });
        return revoke;
    }
}

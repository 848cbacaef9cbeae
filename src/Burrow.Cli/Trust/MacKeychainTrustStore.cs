namespace Burrow.Cli.Trust;

/// <summary>
/// macOS: the user's login keychain, which Safari and Chrome read; <c>security</c> marks the CA
/// trusted for this user (macOS asks for the password in a dialog).
/// </summary>
internal sealed class MacKeychainTrustStore(string home) : TrustStore
{
    private string Keychain => Path.Combine(home, "Library", "Keychains", "login.keychain-db");

    public override string Name => $"Login keychain ({Keychain})";

    public override string Kind => "system";

    public override async Task<TrustOutcome> InstallAsync(TrustedCa ca, CancellationToken cancellationToken)
    {
        string[] args = ["add-trusted-cert", "-r", "trustRoot", "-k", Keychain, ca.Path];
        var (exit, output) = await ExternalCommand.RunAsync("/usr/bin/security", args, cancellationToken).ConfigureAwait(false);
        return exit == 0
            ? TrustOutcome.Success(Name, $"added '{ca.Nickname}', trusted as a root for this user")
            : TrustOutcome.Left(Name, $"security add-trusted-cert failed: {output}", "security " + ExternalCommand.Line(args));
    }

    public override async Task<TrustOutcome> UninstallAsync(TrustedCa ca, CancellationToken cancellationToken)
    {
        string[] args = ["delete-certificate", "-c", ca.Nickname, Keychain];
        var (exit, output) = await ExternalCommand.RunAsync("/usr/bin/security", args, cancellationToken).ConfigureAwait(false);
        return exit == 0
            ? TrustOutcome.Success(Name, $"removed '{ca.Nickname}'")
            : TrustOutcome.Left(Name, $"security delete-certificate failed: {output}", "security " + ExternalCommand.Line(args));
    }
}

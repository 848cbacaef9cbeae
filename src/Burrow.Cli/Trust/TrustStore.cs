namespace Burrow.Cli.Trust;

/// <summary>One place a CA can be trusted in: a browser's NSS database, the system store, a keychain.</summary>
internal abstract class TrustStore
{
    /// <summary>What a person calls it, with where it is, for example <c>Chromium and Chrome (NSS database ~/.pki/nssdb)</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The <c>--stores</c> word that selects it: <c>nss</c> or <c>system</c>.</summary>
    public abstract string Kind { get; }

    public abstract Task<TrustOutcome> InstallAsync(TrustedCa ca, CancellationToken cancellationToken);

    public abstract Task<TrustOutcome> UninstallAsync(TrustedCa ca, CancellationToken cancellationToken);
}

namespace Burrow.Cli.Trust;

/// <summary>
/// An NSS certificate database: <c>~/.pki/nssdb</c>, which Chromium and Chrome read on Linux, or a
/// Firefox profile. Written with NSS's own <c>certutil</c> (Debian: <c>libnss3-tools</c>), since
/// the database format is NSS's business.
/// </summary>
internal sealed class NssTrustStore(string directory, string name, bool createIfMissing) : TrustStore
{
    // Repeated deletes take out every entry under the nickname (an old CA of the same domain too); the cap stops a loop on a stuck database.
    private const int MaxDeletes = 20;

    public override string Name => name;

    public override string Kind => "nss";

    private string Database => "sql:" + directory;

    /// <summary>The NSS databases of this user: Chromium's shared one, and each Firefox profile found.</summary>
    public static IEnumerable<NssTrustStore> Discover(string home)
    {
        if (OperatingSystem.IsLinux())
        {
            yield return new NssTrustStore(Path.Combine(home, ".pki", "nssdb"), $"Chromium and Chrome (NSS database {Path.Combine(home, ".pki", "nssdb")})", createIfMissing: true);
        }

        string[] firefoxRoots = OperatingSystem.IsMacOS()
            ? [Path.Combine(home, "Library", "Application Support", "Firefox", "Profiles")]
            : [
                Path.Combine(home, ".mozilla", "firefox"),
                Path.Combine(home, "snap", "firefox", "common", ".mozilla", "firefox"),
                Path.Combine(home, ".var", "app", "org.mozilla.firefox", ".mozilla", "firefox"),
            ];
        foreach (string root in firefoxRoots.Where(Directory.Exists))
        {
            foreach (string profile in Directory.EnumerateDirectories(root).Where(p => File.Exists(Path.Combine(p, "cert9.db"))).Order(StringComparer.Ordinal))
            {
                yield return new NssTrustStore(profile, $"Firefox profile {profile}", createIfMissing: false);
            }
        }
    }

    public override async Task<TrustOutcome> InstallAsync(TrustedCa ca, CancellationToken cancellationToken)
    {
        string[] add = ["-A", "-d", Database, "-t", "C,,", "-n", ca.Nickname, "-i", ca.Path];
        if (ExternalCommand.Find("certutil") is not { } certutil)
        {
            return MissingCertutil(["certutil " + Args(add)]);
        }

        if (!File.Exists(Path.Combine(directory, "cert9.db")))
        {
            if (!createIfMissing)
            {
                return TrustOutcome.Left(Name, "the profile has no certificate database");
            }

            // Chromium creates this database on its first start; creating it first is what its own docs do.
            Directory.CreateDirectory(directory);
            var (created, createOutput) = await ExternalCommand.RunAsync(certutil, ["-N", "-d", Database, "--empty-password"], cancellationToken).ConfigureAwait(false);
            if (created != 0)
            {
                return TrustOutcome.Left(Name, $"certutil -N could not create the database: {createOutput}", $"certutil -N -d {ExternalCommand.Quote(Database)} --empty-password", "certutil " + Args(add));
            }
        }

        await DeleteAllAsync(certutil, ca, cancellationToken).ConfigureAwait(false);
        var (exit, output) = await ExternalCommand.RunAsync(certutil, add, cancellationToken).ConfigureAwait(false);
        if (exit != 0)
        {
            return TrustOutcome.Left(Name, $"certutil -A failed: {output}", "certutil " + Args(add));
        }

        return TrustOutcome.Success(Name, $"added as '{ca.Nickname}', trusted for websites");
    }

    public override async Task<TrustOutcome> UninstallAsync(TrustedCa ca, CancellationToken cancellationToken)
    {
        string[] delete = ["-D", "-d", Database, "-n", ca.Nickname];
        if (!File.Exists(Path.Combine(directory, "cert9.db")))
        {
            return TrustOutcome.Success(Name, "no database, nothing to remove");
        }

        if (ExternalCommand.Find("certutil") is not { } certutil)
        {
            return MissingCertutil(["certutil " + Args(delete)]);
        }

        int removed = await DeleteAllAsync(certutil, ca, cancellationToken).ConfigureAwait(false);
        var (stillThere, _) = await ExternalCommand.RunAsync(certutil, ["-L", "-d", Database, "-n", ca.Nickname], cancellationToken).ConfigureAwait(false);
        if (stillThere == 0)
        {
            return TrustOutcome.Left(Name, $"'{ca.Nickname}' is still listed after certutil -D", "certutil " + Args(delete));
        }

        return TrustOutcome.Success(Name, removed > 0 ? $"removed '{ca.Nickname}'" : $"'{ca.Nickname}' was not there");
    }

    private async Task<int> DeleteAllAsync(string certutil, TrustedCa ca, CancellationToken cancellationToken)
    {
        int removed = 0;
        while (removed < MaxDeletes)
        {
            var (exit, _) = await ExternalCommand.RunAsync(certutil, ["-D", "-d", Database, "-n", ca.Nickname], cancellationToken).ConfigureAwait(false);
            if (exit != 0)
            {
                break;
            }

            removed++;
        }

        return removed;
    }

    private TrustOutcome MissingCertutil(IReadOnlyList<string> then)
    {
        string install = OperatingSystem.IsMacOS() ? "brew install nss"
            : (Environment.IsPrivilegedProcess ? "" : "sudo ") + "apt-get install libnss3-tools";
        return TrustOutcome.Left(Name, $"certutil is not installed (Debian and Ubuntu: libnss3-tools; Fedora: nss-tools)", [install, .. then]);
    }

    private static string Args(IEnumerable<string> words) => ExternalCommand.Line(words);
}

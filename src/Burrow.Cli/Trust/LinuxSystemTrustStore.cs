namespace Burrow.Cli.Trust;

/// <summary>
/// The Linux system store: a PEM file in the distribution's anchor directory, then its update
/// command (Debian and Ubuntu: <c>/usr/local/share/ca-certificates</c>, <c>update-ca-certificates</c>;
/// Fedora and RHEL: <c>/etc/pki/ca-trust/source/anchors</c>, <c>update-ca-trust</c>). curl, OpenSSL,
/// .NET and most programs but browsers read it; only root may change it.
/// </summary>
internal sealed class LinuxSystemTrustStore(string anchorDirectory, string updateCommand) : TrustStore
{
    public override string Name => $"System store ({anchorDirectory}, {updateCommand})";

    public override string Kind => "system";

    /// <summary>The store of this distribution: Fedora's layout when it is there, else Debian's (whose missing update command is then reported).</summary>
    public static LinuxSystemTrustStore Detect() =>
        ExternalCommand.Find("update-ca-certificates") is null
        && (ExternalCommand.Find("update-ca-trust") is not null || Directory.Exists("/etc/pki/ca-trust/source/anchors"))
            ? new LinuxSystemTrustStore("/etc/pki/ca-trust/source/anchors", "update-ca-trust")
            : new LinuxSystemTrustStore("/usr/local/share/ca-certificates", "update-ca-certificates");

    public override async Task<TrustOutcome> InstallAsync(TrustedCa ca, CancellationToken cancellationToken)
    {
        string target = Path.Combine(anchorDirectory, ca.FileName);
        string[] remedy = [$"sudo cp {ExternalCommand.Quote(ca.Path)} {ExternalCommand.Quote(target)}", $"sudo {updateCommand}"];
        if (!Environment.IsPrivilegedProcess)
        {
            return TrustOutcome.Left(Name, "changing it needs root", remedy);
        }

        try
        {
            Directory.CreateDirectory(anchorDirectory);
            File.Copy(ca.Path, target, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return TrustOutcome.Left(Name, $"could not write {target}: {ex.Message}", remedy);
        }

        return await UpdateAsync($"added {target}", remedy, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<TrustOutcome> UninstallAsync(TrustedCa ca, CancellationToken cancellationToken)
    {
        string target = Path.Combine(anchorDirectory, ca.FileName);
        if (!File.Exists(target))
        {
            return TrustOutcome.Success(Name, $"{target} was not there");
        }

        string[] remedy = [$"sudo rm {ExternalCommand.Quote(target)}", $"sudo {updateCommand}"];
        if (!Environment.IsPrivilegedProcess)
        {
            return TrustOutcome.Left(Name, "changing it needs root", remedy);
        }

        try
        {
            File.Delete(target);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return TrustOutcome.Left(Name, $"could not remove {target}: {ex.Message}", remedy);
        }

        return await UpdateAsync($"removed {target}", remedy, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TrustOutcome> UpdateAsync(string did, string[] remedy, CancellationToken cancellationToken)
    {
        if (ExternalCommand.Find(updateCommand) is not { } update)
        {
            return TrustOutcome.Left(Name, $"{did}, but {updateCommand} is not installed (Debian: ca-certificates)", remedy[^1]);
        }

        var (exit, output) = await ExternalCommand.RunAsync(update, [], cancellationToken).ConfigureAwait(false);
        return exit == 0
            ? TrustOutcome.Success(Name, $"{did} and ran {updateCommand}")
            : TrustOutcome.Left(Name, $"{did}, but {updateCommand} failed: {output}", remedy[^1]);
    }
}

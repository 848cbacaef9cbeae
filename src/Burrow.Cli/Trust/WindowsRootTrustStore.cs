using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Burrow.Cli.Trust;

/// <summary>
/// Windows: the current user's Root store, which Edge, Chrome and .NET read (Windows asks the user
/// to confirm in a dialog).
/// </summary>
internal sealed class WindowsRootTrustStore : TrustStore
{
    public override string Name => "Windows Root store of the current user";

    public override string Kind => "system";

    public override Task<TrustOutcome> InstallAsync(TrustedCa ca, CancellationToken cancellationToken)
    {
        try
        {
            using var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadWrite);
            store.Add(ca.Certificate);
            return Task.FromResult(TrustOutcome.Success(Name, $"added '{ca.Nickname}'"));
        }
        catch (CryptographicException ex)
        {
            return Task.FromResult(TrustOutcome.Left(Name, $"could not add it: {ex.Message}", $"certutil -user -addstore Root \"{ca.Path}\""));
        }
    }

    public override Task<TrustOutcome> UninstallAsync(TrustedCa ca, CancellationToken cancellationToken)
    {
        try
        {
            using var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadWrite);
            X509Certificate2Collection found = store.Certificates.Find(X509FindType.FindBySubjectDistinguishedName, ca.Certificate.Subject, validOnly: false);
            store.RemoveRange(found);
            return Task.FromResult(TrustOutcome.Success(Name, found.Count > 0 ? $"removed '{ca.Nickname}'" : $"'{ca.Nickname}' was not there"));
        }
        catch (CryptographicException ex)
        {
            return Task.FromResult(TrustOutcome.Left(Name, $"could not remove it: {ex.Message}", $"certutil -user -delstore Root \"{ca.Nickname}\""));
        }
    }
}

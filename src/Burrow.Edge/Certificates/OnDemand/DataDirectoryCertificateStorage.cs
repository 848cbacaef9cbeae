namespace Burrow.Edge.Certificates.OnDemand;

/// <summary>
/// On-demand certificates as files, like the wildcard's: <c>&lt;data-dir&gt;/acme/&lt;directory&gt;/hostnames/NAME.pem</c> and
/// <c>NAME.key</c>, written owner-only. A folder of their own, so that no reserved name can land on <c>account.key</c>
/// or the wildcard's files. With ACME on the control store keeps them (<see cref="ControlStoreCertificateStorage"/>),
/// which reads these files once to import them; an edge keeping its files has no one to share a lease or a failure
/// with, so the lease is always its own and failures live in the loop.
/// </summary>
internal sealed class DataDirectoryCertificateStorage : IHostnameCertificateStorage
{
    private readonly string _folder;

    public DataDirectoryCertificateStorage(string folder) => _folder = folder;

    public async Task<StoredCertificate?> LoadAsync(string hostname, CancellationToken cancellationToken)
    {
        string chain = ChainPath(hostname), key = KeyPath(hostname);
        if (!File.Exists(chain) || !File.Exists(key))
        {
            return null;
        }

        return new StoredCertificate(
            await File.ReadAllTextAsync(chain, cancellationToken).ConfigureAwait(false),
            await File.ReadAllTextAsync(key, cancellationToken).ConfigureAwait(false));
    }

    public Task SaveAsync(string hostname, StoredCertificate certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate.ChainPem);
        ArgumentNullException.ThrowIfNull(certificate.KeyPem);
        Directory.CreateDirectory(_folder);
        // The key first: a chain found on disk always has its key next to it.
        OwnerOnlyFile.WriteAllText(KeyPath(hostname), certificate.KeyPem);
        OwnerOnlyFile.WriteAllText(ChainPath(hostname), certificate.ChainPem);
        return Task.CompletedTask;
    }

    public Task<bool> TryTakeLeaseAsync(string hostname, string holder, TimeSpan duration, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task ReleaseLeaseAsync(string hostname, string holder, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RecordFailureAsync(string hostname, string error, DateTimeOffset nextAttempt, CancellationToken cancellationToken) => Task.CompletedTask;

    private string ChainPath(string hostname) => Path.Combine(_folder, FileName(hostname) + ".pem");

    private string KeyPath(string hostname) => Path.Combine(_folder, FileName(hostname) + ".key");

    // Reserved hostnames are validated DNS names; checked again because they become paths.
    private static string FileName(string hostname) =>
        hostname.Length > 0 && hostname[0] != '.' && !hostname.AsSpan().ContainsAnyExcept(NameCharacters)
            ? hostname.ToLowerInvariant()
            : throw new ArgumentException($"'{hostname}' is not a DNS name.", nameof(hostname));

    private static readonly System.Buffers.SearchValues<char> NameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.");
}

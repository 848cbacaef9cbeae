namespace Burrow.Edge.Certificates.OnDemand;

/// <summary>
/// Where on-demand certificates are kept between starts: the one seam their saves and loads go through, so that
/// moving them (into the control store, shared by a cluster) changes this and nothing else.
/// </summary>
internal interface IHostnameCertificateStorage
{
    /// <summary>The saved certificate of <paramref name="hostname"/>, or <see langword="null"/> when there is none.</summary>
    Task<StoredCertificate?> LoadAsync(string hostname, CancellationToken cancellationToken);

    /// <summary>Saves (replaces) the certificate of <paramref name="hostname"/>; the key must stay readable to the edge only.</summary>
    Task SaveAsync(string hostname, StoredCertificate certificate, CancellationToken cancellationToken);
}

namespace Burrow.Edge.Certificates.OnDemand;

/// <summary>
/// Where on-demand certificates are kept between starts, and who may order one: the one seam their saves, loads,
/// leases and failures go through. With ACME on it is the control store (<see cref="ControlStoreCertificateStorage"/>),
/// shared by every edge of a cluster; <see cref="DataDirectoryCertificateStorage"/> is the files an edge kept before,
/// read once to import them.
/// </summary>
internal interface IHostnameCertificateStorage
{
    /// <summary>
    /// What is kept for <paramref name="hostname"/>: the certificate (when there is one) and the last failure any edge
    /// recorded with its next attempt; <see langword="null"/> when there is nothing.
    /// </summary>
    Task<StoredCertificate?> LoadAsync(string hostname, CancellationToken cancellationToken);

    /// <summary>Saves (replaces) the certificate of <paramref name="hostname"/> and clears its failure; the key must stay readable to the edge only.</summary>
    Task SaveAsync(string hostname, StoredCertificate certificate, CancellationToken cancellationToken);

    /// <summary>Takes or renews the lease to order for <paramref name="hostname"/>: <see langword="false"/> while another edge holds it.</summary>
    Task<bool> TryTakeLeaseAsync(string hostname, string holder, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Gives the lease up, if <paramref name="holder"/> has it.</summary>
    Task ReleaseLeaseAsync(string hostname, string holder, CancellationToken cancellationToken);

    /// <summary>Records a failed order and when the next one is due, for every edge (and the admin API) to see.</summary>
    Task RecordFailureAsync(string hostname, string error, DateTimeOffset nextAttempt, CancellationToken cancellationToken);
}

namespace Burrow.Storage;

/// <summary>The cluster CA that node-link certificates chain to: kept once in the store, its key sealed with the store key.</summary>
/// <param name="CertificatePem">The CA certificate, PEM.</param>
/// <param name="KeyPem">Its private key, PEM (opened with the store key).</param>
public sealed record ClusterAuthorityRecord(string CertificatePem, string KeyPem);

namespace Burrow.Edge.Certificates.OnDemand;

/// <summary>An issued certificate as it is kept: the chain as the CA sent it (leaf first) and the leaf's private key, both PEM.</summary>
internal sealed record StoredCertificate(string ChainPem, string KeyPem);

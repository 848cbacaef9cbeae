namespace Burrow.Acme.Challenges;

/// <summary>
/// Where a pending challenge's answer is shared with the other edges of a cluster (the edge's control store). The
/// CA may validate at any of them: the one whose order asked is not the only one its port 80, port 443 or DNS server
/// can be reached at. The solvers publish before the issuer tells the CA to validate, and look here when a
/// validation arrives for an answer they do not hold themselves.
/// </summary>
internal interface IChallengeShare
{
    /// <summary>Publishes an answer: <paramref name="key"/> is the token (http-01), the name (tls-alpn-01) or the record name (dns-01).</summary>
    ValueTask PublishAsync(string type, string key, string keyAuthorization, CancellationToken cancellationToken);

    /// <summary>Withdraws it once its authorization is done.</summary>
    ValueTask WithdrawAsync(string type, string key, string keyAuthorization, CancellationToken cancellationToken);

    /// <summary>The key authorizations published for a challenge (none when there is none, or the share cannot be read).</summary>
    ValueTask<IReadOnlyList<string>> FindAsync(string type, string key, CancellationToken cancellationToken);
}

using Burrow.Acme.Challenges;
using Burrow.Protocol.Errors;

namespace Burrow.Acme.Client;

/// <summary>
/// One issuance, start to end (RFC 8555 section 7.1 overview): new order, for each pending authorization the first
/// solver (in the given order) whose challenge type the server offers and that can solve the name, respond, wait
/// until every authorization is valid, finalize with a fresh key's CSR, wait, download. Challenge answers are taken
/// away whatever happens; a cleanup that fails (a DNS server gone away meanwhile) never fails the issuance, whose
/// certificate or error matters more than a leftover TXT record, and is reported to <c>cleanupFailed</c>.
/// </summary>
internal sealed class AcmeIssuer
{
    private readonly AcmeClient _client;
    private readonly IReadOnlyList<IChallengeSolver> _solvers;
    private readonly Action<string, Exception>? _cleanupFailed;

    /// <param name="client">The account's client.</param>
    /// <param name="solvers">The solvers, in order of preference.</param>
    /// <param name="cleanupFailed">Told the identifier and the error when a challenge answer could not be taken away.</param>
    public AcmeIssuer(AcmeClient client, IReadOnlyList<IChallengeSolver> solvers, Action<string, Exception>? cleanupFailed = null)
    {
        _client = client;
        _solvers = solvers;
        _cleanupFailed = cleanupFailed;
    }

    public async Task<IssuedCertificate> IssueAsync(IReadOnlyList<string> names, CertificateKeyKind keyKind, CancellationToken cancellationToken)
    {
        var (orderUrl, order) = await _client.NewOrderAsync(names, cancellationToken).ConfigureAwait(false);
        var presented = new List<(IChallengeSolver Solver, string Name, string Token, string KeyAuthorization)>();
        try
        {
            var pending = new List<Uri>();
            foreach (Uri authorizationUrl in order.Authorizations)
            {
                var authz = await _client.GetAuthorizationAsync(authorizationUrl, cancellationToken).ConfigureAwait(false);
                if (authz.Status == "valid")
                {
                    continue;
                }

                var (solver, challenge) = Choose(authz);
                string keyAuthorization = _client.KeyAuthorization(challenge.Token!);
                await solver.PresentAsync(authz.Identifier.Value, challenge.Token!, keyAuthorization, cancellationToken).ConfigureAwait(false);
                presented.Add((solver, authz.Identifier.Value, challenge.Token!, keyAuthorization));
                await _client.RespondAsync(challenge.Url, cancellationToken).ConfigureAwait(false);
                pending.Add(authorizationUrl);
            }

            foreach (Uri authorizationUrl in pending)
            {
                await _client.WaitForAuthorizationAsync(authorizationUrl, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var (solver, name, token, keyAuthorization) in presented)
            {
                try
                {
                    await solver.CleanupAsync(name, token, keyAuthorization, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (_cleanupFailed is not null && ex is not OutOfMemoryException)
                {
                    _cleanupFailed(name, ex);
                }
            }
        }

        order = await _client.WaitForOrderAsync(orderUrl, cancellationToken).ConfigureAwait(false);
        using var csr = CertificateSigningRequest.Create(names, keyKind);
        if (order.Status == "ready")
        {
            await _client.FinalizeAsync(order, csr.Der, cancellationToken).ConfigureAwait(false);
            order = await _client.WaitForOrderAsync(orderUrl, cancellationToken).ConfigureAwait(false);
        }

        Uri certificateUrl = order.Certificate ?? throw AcmeTransport.Unusable(orderUrl, "a valid order has no certificate URL");
        string chain = await _client.DownloadCertificateAsync(certificateUrl, cancellationToken).ConfigureAwait(false);
        return new IssuedCertificate(chain, csr.ExportKeyPem(), certificateUrl, orderUrl);
    }

    private (IChallengeSolver Solver, AcmeChallengeResource Challenge) Choose(AcmeAuthorizationResource authz)
    {
        foreach (var solver in _solvers)
        {
            if (solver.CanSolve(authz.Identifier.Value, authz.Wildcard)
                && authz.Challenges.FirstOrDefault(c => c.Type == solver.ChallengeType && c.Token is not null) is { } challenge)
            {
                return (solver, challenge);
            }
        }

        string offered = string.Join(", ", authz.Challenges.Select(c => c.Type));
        string name = authz.Wildcard ? "*." + authz.Identifier.Value : authz.Identifier.Value;
        throw new AcmeException(ErrorCodes.AcmeChallengeFailed,
            ErrorCodes.AcmeChallengeFailed.FormatMessage(name, offered, "no configured solver can answer the challenges the server offers"));
    }
}

namespace Burrow.Acme.Challenges;

/// <summary>
/// Puts a challenge's answer where the CA will look (RFC 8555 section 8) and takes it away afterwards. One per
/// challenge type; the issuer picks the first solver, in its order, that the server offers and that can solve the name.
/// </summary>
internal interface IChallengeSolver
{
    /// <summary>The challenge type, for example <c>http-01</c>.</summary>
    string ChallengeType { get; }

    /// <summary>Whether this solver can prove control of <paramref name="name"/> (the identifier, without <c>*.</c>).</summary>
    bool CanSolve(string name, bool wildcard);

    ValueTask PresentAsync(string name, string token, string keyAuthorization, CancellationToken cancellationToken);

    ValueTask CleanupAsync(string name, string token, string keyAuthorization, CancellationToken cancellationToken);
}

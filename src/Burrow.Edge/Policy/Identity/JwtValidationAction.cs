using Burrow.Protocol.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Burrow.Edge.Policy.Identity;

/// <summary>
/// The engine of ngrok's <c>jwt-validation</c> traffic-policy action: finds the request's token,
/// validates it (issuer and audience allow lists, allowed algorithms, signature by the issuer's
/// published keys, expiry), and either lets the request go on with its claims or answers 401.
/// Built once per policy with <see cref="Create"/>; <see cref="ValidateAsync"/> is safe to call concurrently.
/// </summary>
internal sealed partial class JwtValidationAction : IDisposable
{
    private readonly IReadOnlyList<TokenLocation> _locations;
    private readonly IReadOnlyCollection<string> _issuers;
    private readonly IReadOnlyCollection<string> _audiences;
    private readonly IReadOnlyCollection<string> _algorithms;
    private readonly SigningKeySource _keys;
    private readonly TokenCheck _check;

    private JwtValidationAction(
        IReadOnlyList<TokenLocation> locations,
        IReadOnlyCollection<string> issuers,
        IReadOnlyCollection<string> audiences,
        IReadOnlyCollection<string> algorithms,
        SigningKeySource keys,
        TimeProvider time)
    {
        _locations = locations;
        _issuers = issuers;
        _audiences = audiences;
        _algorithms = algorithms;
        _keys = keys;
        _check = new TokenCheck(time);
    }

    /// <summary>Lets go of the key cache's lock when the policy is replaced.</summary>
    public void Dispose() => _keys.Dispose();

    /// <summary>The key cache, for tests of its refresh limit.</summary>
    internal SigningKeySource Keys => _keys;

    /// <summary>
    /// Checks the request's token. On success the request goes on with the variables
    /// <c>claims</c> (all of the token's claims) and <c>identity</c> (sub, email, name... when present);
    /// otherwise a 401 has been written (ERR_BURROW_3120 no token, 3121 refused token, 3124 keys unavailable as 502).
    /// </summary>
    public async Task<IdentityOutcome> ValidateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        string? raw = null;
        foreach (TokenLocation location in _locations)
        {
            raw = location.Find(context.Request);
            if (raw is not null)
            {
                break;
            }
        }

        if (raw is null)
        {
            string where = string.Join(", ", _locations.Select(l => l.Describe()));
            return await IdentityAnswers.RefuseAsync(context, ErrorCodes.JwtMissing, ErrorCodes.JwtMissing.FormatMessage(where), IdentityAnswers.MissingTokenChallenge).ConfigureAwait(false);
        }

        if (TokenCheck.Read(raw, out string? malformed) is not { } token)
        {
            return await RefuseAsync(context, malformed!).ConfigureAwait(false);
        }

        IReadOnlyList<SecurityKey> keys;
        try
        {
            keys = await _keys.GetKeysAsync(token.Kid, cancellationToken).ConfigureAwait(false);
        }
        catch (IdentityProviderException ex)
        {
            return await IdentityAnswers.RefuseAsync(context, ErrorCodes.IdentityProviderUnavailable, ErrorCodes.IdentityProviderUnavailable.FormatMessage(ex.Address.GetLeftPart(UriPartial.Path), ex.Reason)).ConfigureAwait(false);
        }

        if (await _check.ValidateAsync(token, _issuers, _audiences, _algorithms, keys).ConfigureAwait(false) is { } reason)
        {
            return await RefuseAsync(context, reason).ConfigureAwait(false);
        }

        Dictionary<string, object?> claims = TokenCheck.Claims(token);
        return IdentityOutcome.Proceed(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["claims"] = claims,
            ["identity"] = ClaimValues.Identity(claims),
        });
    }

    private static Task<IdentityOutcome> RefuseAsync(HttpContext context, string reason) =>
        IdentityAnswers.RefuseAsync(context, ErrorCodes.JwtInvalid, ErrorCodes.JwtInvalid.FormatMessage(reason), IdentityAnswers.InvalidTokenChallenge(reason));

    private static JsonWebToken? Unused() => null;
}

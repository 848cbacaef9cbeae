using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Burrow.Edge.Policy.Identity;

/// <summary>
/// Validates a JWT with IdentityModel's <see cref="JsonWebTokenHandler"/> and says why one fails in
/// words a user can act on. The lifetime is checked here against the injected
/// <see cref="TimeProvider"/> (not the handler's wall clock), so tests can move time.
/// </summary>
internal sealed class TokenCheck(TimeProvider time)
{
    /// <summary>Tolerated clock difference between the issuer and the edge.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>The parsed token, or null with the reason when it is not a compact JWS.</summary>
    public static JsonWebToken? Read(string token, out string? reason)
    {
        reason = null;
        try
        {
            return new JsonWebToken(token);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenMalformedException)
        {
            reason = "the token is not a well-formed JWT";
            return null;
        }
    }

    /// <summary>Null when the token is valid; otherwise the reason.</summary>
    public async Task<string?> ValidateAsync(
        JsonWebToken token,
        IReadOnlyCollection<string> issuers,
        IReadOnlyCollection<string>? audiences,
        IReadOnlyCollection<string> algorithms,
        IReadOnlyList<SecurityKey> keys)
    {
        // :: the header first, so "alg: none" and a forbidden algorithm are named as such.
        if (string.IsNullOrEmpty(token.Alg) || string.Equals(token.Alg, "none", StringComparison.OrdinalIgnoreCase))
        {
            return "the token is not signed (alg none)";
        }

        if (!algorithms.Contains(token.Alg))
        {
            return $"algorithm {token.Alg} is not allowed";
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuers = issuers,
            ValidateIssuer = true,
            ValidAudiences = audiences,
            ValidateAudience = audiences is not null,
            ValidAlgorithms = algorithms,
            IssuerSigningKeys = keys,
            ValidateIssuerSigningKey = false,
            RequireSignedTokens = true,
            // Checked below against the TimeProvider.
            ValidateLifetime = false,
            RequireExpirationTime = false,
            // Only a key with the token's kid may verify it: trying every key would turn a bogus kid into N verifications.
            TryAllIssuerSigningKeys = string.IsNullOrEmpty(token.Kid),
        };

        TokenValidationResult result = await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return Describe(result.Exception, token);
        }

        return CheckLifetime(token);
    }

    private string? CheckLifetime(JsonWebToken token)
    {
        DateTimeOffset now = time.GetUtcNow();
        if (!token.TryGetPayloadValue("exp", out long exp))
        {
            return "the token has no expiry (exp)";
        }

        if (DateTimeOffset.FromUnixTimeSeconds(exp) + ClockSkew <= now)
        {
            return "the token expired at " + DateTimeOffset.FromUnixTimeSeconds(exp).ToString("u", System.Globalization.CultureInfo.InvariantCulture);
        }

        if (token.TryGetPayloadValue("nbf", out long nbf) && DateTimeOffset.FromUnixTimeSeconds(nbf) - ClockSkew > now)
        {
            return "the token is not valid yet (nbf " + DateTimeOffset.FromUnixTimeSeconds(nbf).ToString("u", System.Globalization.CultureInfo.InvariantCulture) + ")";
        }

        return null;
    }

    // Sorted by exception type, never by message text.
    private static string Describe(Exception? exception, JsonWebToken token) => exception switch
    {
        SecurityTokenInvalidIssuerException => $"issuer '{token.Issuer}' is not allowed",
        SecurityTokenInvalidAudienceException => "the audience is not allowed",
        SecurityTokenInvalidAlgorithmException => $"algorithm {token.Alg} is not allowed",
        SecurityTokenSignatureKeyNotFoundException => string.IsNullOrEmpty(token.Kid)
            ? "no key of the issuer verifies the signature"
            : $"no key with kid '{token.Kid}' is published by the issuer",
        SecurityTokenInvalidSignatureException => "the signature is not valid",
        SecurityTokenMalformedException => "the token is not a well-formed JWT",
        _ => "the token is not valid",
    };

    /// <summary>The token's claims as plain values (strings, numbers, booleans, lists, objects) for policy variables.</summary>
    public static Dictionary<string, object?> Claims(JsonWebToken token)
    {
        using JsonDocument payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
        return ClaimValues.FromObject(payload.RootElement);
    }
}

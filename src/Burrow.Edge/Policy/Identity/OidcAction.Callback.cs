using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Burrow.Protocol.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Burrow.Edge.Policy.Identity;

/// <summary>The oidc action's own paths: the provider's callback (code exchange, id_token checks, session) and logout.</summary>
internal sealed partial class OidcAction
{
    private async Task<IdentityOutcome> CallbackAsync(HttpContext context, CancellationToken cancellationToken)
    {
        HttpRequest request = context.Request;
        // The state cookie is single-use whatever happens next.
        context.Response.Cookies.Delete(_stateCookie, CookieOptions(context, OidcPaths.StateCookiePath, null));

        if (request.Query["error"].ToString() is { Length: > 0 } error)
        {
            string description = request.Query["error_description"].ToString();
            return await SignInFailedAsync(context, $"the identity provider answered {error}" + (description.Length > 0 ? $" ({description})" : "")).ConfigureAwait(false);
        }

        if (request.Cookies[_stateCookie] is not { } cookie || _keys.Open(cookie, _statePurpose) is not { } json)
        {
            return await SignInFailedAsync(context, "this browser has no sign-in in progress (it expired, or cookies are blocked)").ConfigureAwait(false);
        }

        string state, nonce, verifier, returnTo;
        long startedAt;
        using (JsonDocument pending = JsonDocument.Parse(json))
        {
            JsonElement root = pending.RootElement;
            state = root.GetProperty("s").GetString()!;
            nonce = root.GetProperty("n").GetString()!;
            verifier = root.GetProperty("v").GetString()!;
            returnTo = root.GetProperty("r").GetString()!;
            startedAt = root.GetProperty("t").GetInt64();
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(request.Query["state"].ToString()), Encoding.UTF8.GetBytes(state)))
        {
            return await SignInFailedAsync(context, "the state does not match the sign-in this browser started").ConfigureAwait(false);
        }

        if (_time.GetUtcNow().ToUnixTimeSeconds() - startedAt > (long)SignInTimeout.TotalSeconds)
        {
            return await SignInFailedAsync(context, "the sign-in took longer than 10 minutes").ConfigureAwait(false);
        }

        if (request.Query["code"].ToString() is not { Length: > 0 } code)
        {
            return await SignInFailedAsync(context, "the identity provider sent no code").ConfigureAwait(false);
        }

        if (await ProviderAsync(context, cancellationToken).ConfigureAwait(false) is not { } provider)
        {
            return IdentityOutcome.Refused(ErrorCodes.IdentityProviderUnavailable.Code);
        }

        TokenAnswer answer;
        try
        {
            answer = await ExchangeCodeAsync(provider, code, verifier, RedirectUri(request), cancellationToken).ConfigureAwait(false);
        }
        catch (IdentityProviderException ex)
        {
            return await IdentityAnswers.RefuseAsync(context, ErrorCodes.IdentityProviderUnavailable, ErrorCodes.IdentityProviderUnavailable.FormatMessage(ex.Address.GetLeftPart(UriPartial.Path), ex.Reason)).ConfigureAwait(false);
        }

        if (answer.Error is not null)
        {
            return await SignInFailedAsync(context, "the identity provider refused the code: " + answer.Error).ConfigureAwait(false);
        }

        if (TokenCheck.Read(answer.IdToken!, out string? malformed) is not { } idToken)
        {
            return await SignInFailedAsync(context, "id_token: " + malformed).ConfigureAwait(false);
        }

        if (await ValidateIdTokenAsync(idToken, provider, nonce, cancellationToken).ConfigureAwait(false) is { } reason)
        {
            return await SignInFailedAsync(context, "id_token: " + reason).ConfigureAwait(false);
        }

        Dictionary<string, object?> claims;
        using (JsonDocument payload = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(idToken.EncodedPayload)))
        {
            claims = OidcSession.PersonClaims(payload.RootElement);
        }

        // Providers may keep profile and email claims out of the id_token and serve them from userinfo (oidc-provider does by default).
        if (answer.AccessToken is not null && !string.IsNullOrEmpty(provider.UserInfoEndpoint))
        {
            await MergeUserInfoAsync(claims, provider.UserInfoEndpoint, answer.AccessToken, cancellationToken).ConfigureAwait(false);
        }

        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        WriteSession(context, new OidcSession(claims, now, now));
        context.Response.StatusCode = StatusCodes.Status302Found;
        // Only a path of this host: a return URL can never send the visitor elsewhere.
        context.Response.Headers.Location = returnTo.StartsWith('/') && !returnTo.StartsWith("//", StringComparison.Ordinal) && !returnTo.StartsWith("/\\", StringComparison.Ordinal) ? returnTo : "/";
        context.Response.Headers.CacheControl = "no-store";
        return IdentityOutcome.Answered;
    }

    private async Task<string?> ValidateIdTokenAsync(JsonWebToken idToken, OpenIdConnectConfiguration provider, string nonce, CancellationToken cancellationToken)
    {
        string[] issuers = [_options.Issuer.AbsoluteUri, _options.Issuer.AbsoluteUri.TrimEnd('/')];
        string[] algorithms = provider.IdTokenSigningAlgValuesSupported is { Count: > 0 } listed
            ? [.. listed.Where(a => Array.IndexOf(JwtValidationAction.SupportedAlgorithms, a) >= 0)]
            : ["RS256"];
        string? reason = await _check.ValidateAsync(idToken, issuers, [_options.ClientId], algorithms, [.. provider.SigningKeys]).ConfigureAwait(false);
        if (reason is not null && !string.IsNullOrEmpty(idToken.Kid) && !provider.SigningKeys.Any(k => k.KeyId == idToken.Kid))
        {
            // A key rotated since discovery was cached: fetch again (IdentityModel limits how often) and retry once.
            _configuration.RequestRefresh();
            provider = await _configuration.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            reason = await _check.ValidateAsync(idToken, issuers, [_options.ClientId], algorithms, [.. provider.SigningKeys]).ConfigureAwait(false);
        }

        if (reason is not null)
        {
            return reason;
        }

        if (!idToken.TryGetPayloadValue("nonce", out string? tokenNonce) || tokenNonce is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(tokenNonce), Encoding.UTF8.GetBytes(nonce)))
        {
            return "the nonce does not match this sign-in";
        }

        return null;
    }

    private sealed record TokenAnswer(string? IdToken, string? AccessToken, string? Error);

    private async Task<TokenAnswer> ExchangeCodeAsync(OpenIdConnectConfiguration provider, string code, string verifier, string redirectUri, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = verifier,
        };
        var endpoint = new Uri(provider.TokenEndpoint);
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint);
        // client_secret_basic is the default every provider must support (OIDC Core 9); post only when the provider says basic is not on offer.
        bool basic = provider.TokenEndpointAuthMethodsSupported.Count == 0 || provider.TokenEndpointAuthMethodsSupported.Contains("client_secret_basic");
        if (_options.ClientSecret is null)
        {
            form["client_id"] = _options.ClientId;
        }
        else if (basic)
        {
            string pair = Uri.EscapeDataString(_options.ClientId) + ":" + Uri.EscapeDataString(_options.ClientSecret);
            message.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }
        else
        {
            form["client_id"] = _options.ClientId;
            form["client_secret"] = _options.ClientSecret;
        }

        message.Content = new FormUrlEncodedContent(form);
        try
        {
            using HttpResponseMessage response = await _http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            if (!response.IsSuccessStatusCode || !root.TryGetProperty("id_token", out JsonElement idToken) || idToken.ValueKind != JsonValueKind.String)
            {
                string error = root.TryGetProperty("error", out JsonElement e) ? e.GetString() ?? "" : $"HTTP {(int)response.StatusCode} without an id_token";
                if (root.TryGetProperty("error_description", out JsonElement d) && d.GetString() is { Length: > 0 } description)
                {
                    error += $" ({description})";
                }

                return new TokenAnswer(null, null, error);
            }

            string? accessToken = root.TryGetProperty("access_token", out JsonElement at) && at.ValueKind == JsonValueKind.String ? at.GetString() : null;
            return new TokenAnswer(idToken.GetString(), accessToken, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new IdentityProviderException(endpoint, ex.Message, ex);
        }
    }

    private async Task MergeUserInfoAsync(Dictionary<string, object?> claims, string endpoint, string accessToken, CancellationToken cancellationToken)
    {
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, endpoint);
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            using HttpResponseMessage response = await _http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != "application/json")
            {
                return;
            }

            using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            // OIDC Core 5.3.2: userinfo for another subject must not be used.
            if (!document.RootElement.TryGetProperty("sub", out JsonElement sub) || sub.GetString() != claims.GetValueOrDefault("sub") as string)
            {
                return;
            }

            foreach (KeyValuePair<string, object?> pair in ClaimValues.FromObject(document.RootElement))
            {
                claims.TryAdd(pair.Key, pair.Value);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The id_token's claims are enough to go on; userinfo only adds to them.
        }
    }

    private async Task<IdentityOutcome> LogoutAsync(HttpContext context, CancellationToken cancellationToken)
    {
        context.Response.Cookies.Delete(_sessionCookie, CookieOptions(context, "/", null));
        context.Response.Headers.CacheControl = "no-store";
        OpenIdConnectConfiguration? provider = null;
        try
        {
            provider = await _configuration.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or HttpRequestException)
        {
            // Signing out here must work while the provider is down; only the provider's own session is left.
        }

        if (!string.IsNullOrEmpty(provider?.EndSessionEndpoint))
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = QueryHelpers.AddQueryString(provider.EndSessionEndpoint, "client_id", _options.ClientId);
            return IdentityOutcome.Answered;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("Signed out.\n", cancellationToken).ConfigureAwait(false);
        return IdentityOutcome.Answered;
    }

    private static Task<IdentityOutcome> SignInFailedAsync(HttpContext context, string reason) =>
        IdentityAnswers.RefuseAsync(context, ErrorCodes.OidcSignInFailed, ErrorCodes.OidcSignInFailed.FormatMessage(reason));
}

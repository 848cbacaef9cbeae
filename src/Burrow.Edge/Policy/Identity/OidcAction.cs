using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Burrow.Protocol.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Burrow.Edge.Policy.Identity;

/// <summary>
/// The engine of ngrok's <c>oidc</c> traffic-policy action: signs visitors in with an OpenID
/// provider (authorization code flow with PKCE S256, state and nonce) and keeps them signed in with
/// an AES-GCM sealed cookie. A request with a live session goes on with the identity's claims; one
/// without is sent to the provider (page navigations) or refused with 401 (scripts, non-GET), and
/// <see cref="OidcPaths.Callback"/> and <see cref="OidcPaths.Logout"/> are answered here.
/// </summary>
internal sealed partial class OidcAction
{
    /// <summary>How long a sign-in may take between the redirect to the provider and the callback.</summary>
    internal static readonly TimeSpan SignInTimeout = TimeSpan.FromMinutes(10);

    private readonly OidcOptions _options;
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _configuration;
    private readonly OidcKeys _keys;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly TokenCheck _check;
    private readonly string _sessionCookie;
    private readonly string _stateCookie;
    private readonly string _sessionPurpose;
    private readonly string _statePurpose;

    private OidcAction(OidcOptions options, ConfigurationManager<OpenIdConnectConfiguration> configuration, OidcKeys keys, HttpClient http, TimeProvider time)
    {
        _options = options;
        _configuration = configuration;
        _keys = keys;
        _http = http;
        _time = time;
        _check = new TokenCheck(time);
        string suffix = options.AuthId is null ? "" : "_" + options.AuthId;
        _sessionCookie = "burrow_oidc" + suffix;
        _stateCookie = "burrow_oidc_state" + suffix;
        // Bound into each seal: a session made for another provider or client (another policy on this edge) opens as nothing here.
        string binding = options.Issuer.AbsoluteUri + "|" + options.ClientId + "|" + options.AuthId;
        _sessionPurpose = "session|" + binding;
        _statePurpose = "state|" + binding;
    }

    /// <summary>The session cookie's name: <c>burrow_oidc</c>, or <c>burrow_oidc_&lt;auth_id&gt;</c>.</summary>
    public string SessionCookieName => _sessionCookie;

    /// <summary>
    /// Lets a signed-in request go on with the variables <c>identity</c> (sub, email, name...) and
    /// <c>claims</c>, or answers it: the callback and logout paths, a redirect to the provider, or a
    /// 401 (ERR_BURROW_3122) / 403 (3123) / 502 (3124) page.
    /// </summary>
    public async Task<IdentityOutcome> HandleAsync(HttpContext context, CancellationToken cancellationToken)
    {
        HttpRequest request = context.Request;
        string path = request.Path.Value ?? "/";
        if (string.Equals(path, OidcPaths.Callback, StringComparison.Ordinal))
        {
            return await CallbackAsync(context, cancellationToken).ConfigureAwait(false);
        }

        if (string.Equals(path, OidcPaths.Logout, StringComparison.Ordinal))
        {
            return await LogoutAsync(context, cancellationToken).ConfigureAwait(false);
        }

        if (_options.AllowCorsPreflight && HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey("Access-Control-Request-Method"))
        {
            return IdentityOutcome.Proceed(new Dictionary<string, object?>());
        }

        if (ReadSession(request) is { } session)
        {
            long now = _time.GetUtcNow().ToUnixTimeSeconds();
            // Refresh the idle clock at most once a minute, so most requests send no Set-Cookie.
            if (now - session.SeenAt >= 60)
            {
                WriteSession(context, session with { SeenAt = now });
            }

            return IdentityOutcome.Proceed(new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["identity"] = ClaimValues.Identity(session.Claims),
                ["claims"] = session.Claims,
            });
        }

        if (!CanRedirect(request))
        {
            return await IdentityAnswers.RefuseAsync(context, ErrorCodes.OidcLoginRequired, ErrorCodes.OidcLoginRequired.FormatMessage()).ConfigureAwait(false);
        }

        return await StartSignInAsync(context, cancellationToken).ConfigureAwait(false);
    }

    private OidcSession? ReadSession(HttpRequest request)
    {
        if (request.Cookies[_sessionCookie] is not { } cookie || _keys.Open(cookie, _sessionPurpose) is not { } json || OidcSession.Parse(json) is not { } session)
        {
            return null;
        }

        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        bool idle = now - session.SeenAt > (long)_options.IdleTimeout.TotalSeconds;
        bool over = now - session.StartedAt > (long)_options.MaxDuration.TotalSeconds;
        return idle || over ? null : session;
    }

    private void WriteSession(HttpContext context, OidcSession session)
    {
        context.Response.Cookies.Append(_sessionCookie, SealSession(session), CookieOptions(context, "/", DateTimeOffset.FromUnixTimeSeconds(session.StartedAt) + _options.MaxDuration));
    }

    /// <summary>The session cookie's value for <paramref name="session"/> (also what tests forge sessions with).</summary>
    internal string SealSession(OidcSession session)
    {
        string value = _keys.Seal(session.Serialize(), _sessionPurpose);
        // Browsers drop cookies past ~4 KiB; an IdP with many groups keeps only the identity claims.
        return value.Length > 3800 ? _keys.Seal(session.Serialize(identityOnly: true), _sessionPurpose) : value;
    }

    private static CookieOptions CookieOptions(HttpContext context, string path, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps,
        // Lax: the cookie comes along when the provider sends the browser back (a top-level GET), not on cross-site posts.
        SameSite = SameSiteMode.Lax,
        Path = path,
        Expires = expires,
    };

    // Only a page the browser navigates to can follow a redirect to a login page; a script's fetch or a POST would lose its body or get HTML it cannot use.
    private static bool CanRedirect(HttpRequest request)
    {
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return false;
        }

        if (string.Equals(request.Headers["X-Requested-With"], "XMLHttpRequest", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string mode = request.Headers["Sec-Fetch-Mode"].ToString();
        return mode.Length == 0 || mode == "navigate";
    }

    private async Task<IdentityOutcome> StartSignInAsync(HttpContext context, CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration? provider = await ProviderAsync(context, cancellationToken).ConfigureAwait(false);
        if (provider is null)
        {
            return IdentityOutcome.Refused(ErrorCodes.IdentityProviderUnavailable.Code);
        }

        string state = RandomToken();
        string nonce = RandomToken();
        string verifier = RandomToken();
        string challenge = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        HttpRequest request = context.Request;
        string returnTo = request.PathBase + request.Path + request.QueryString;
        var pending = new JsonObject { ["s"] = state, ["n"] = nonce, ["v"] = verifier, ["r"] = returnTo, ["t"] = _time.GetUtcNow().ToUnixTimeSeconds() };
        context.Response.Cookies.Append(_stateCookie, _keys.Seal(pending.ToJsonString(), _statePurpose), CookieOptions(context, OidcPaths.StateCookiePath, _time.GetUtcNow() + SignInTimeout));

        string location = QueryHelpers.AddQueryString(provider.AuthorizationEndpoint, new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = _options.ClientId,
            ["redirect_uri"] = RedirectUri(request),
            ["scope"] = string.Join(' ', _options.Scopes),
            ["state"] = state,
            ["nonce"] = nonce,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        });
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = location;
        context.Response.Headers.CacheControl = "no-store";
        return IdentityOutcome.Answered;
    }

    /// <summary>The provider's discovery document (cached by IdentityModel); null after a 502 page has been written.</summary>
    private async Task<OpenIdConnectConfiguration?> ProviderAsync(HttpContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await _configuration.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or HttpRequestException or ArgumentException)
        {
            Exception inner = ex;
            while (inner.InnerException is not null)
            {
                inner = inner.InnerException;
            }

            await IdentityAnswers.RefuseAsync(context, ErrorCodes.IdentityProviderUnavailable, ErrorCodes.IdentityProviderUnavailable.FormatMessage(_options.Issuer.AbsoluteUri, inner.Message)).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>The callback on the host the visitor used, so one policy serves every hostname of an endpoint.</summary>
    private static string RedirectUri(HttpRequest request) => request.Scheme + "://" + request.Host.Value + OidcPaths.Callback;

    private static string RandomToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}

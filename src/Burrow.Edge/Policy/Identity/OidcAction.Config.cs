using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Burrow.Edge.Policy.Identity;

/// <summary>The config of ngrok's <c>oidc</c> action, read from its JSON.</summary>
internal sealed partial class OidcAction
{
    /// <summary>Scopes asked for when the config names none (ngrok's default).</summary>
    internal static readonly string[] DefaultScopes = ["openid", "profile", "email"];

    /// <summary>Sessions end this long after the last request unless <c>idle_session_timeout</c> says otherwise.</summary>
    internal static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromHours(1);

    /// <summary>Sessions end this long after sign-in unless <c>max_session_duration</c> says otherwise.</summary>
    internal static readonly TimeSpan DefaultMaxDuration = TimeSpan.FromHours(24);

    /// <summary>
    /// Builds the action from its config:
    /// <code>
    /// issuer_url: https://accounts.example      # required; discovery at /.well-known/openid-configuration
    /// client_id: burrow                         # required
    /// client_secret: ...                        # optional (public clients rely on PKCE alone)
    /// scopes: [openid, profile, email]          # default; openid is always asked for
    /// auth_id: admin                            # names the cookie, so two oidc policies on one host keep separate sessions
    /// idle_session_timeout: 1h                  # default 1h
    /// max_session_duration: 24h                 # default 24h
    /// allow_cors_preflight: false               # true lets CORS preflights (OPTIONS) through without a session
    /// </code>
    /// Returns null and adds to <paramref name="errors"/> when the config is wrong.
    /// </summary>
    public static OidcAction? Create(JsonObject config, OidcKeys keys, HttpClient httpClient, TimeProvider time, List<(string Path, string Message)> errors)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(errors);
        var reader = new ConfigReader(errors);
        int before = reader.ErrorCount;
        reader.RejectUnknown(config, "", "issuer_url", "client_id", "client_secret", "scopes", "auth_id", "idle_session_timeout", "max_session_duration", "allow_cors_preflight");

        Uri? issuer = null;
        if (reader.String(config, "issuer_url", "", required: true) is { } issuerText)
        {
            issuer = JwtValidationAction.HttpUrl(issuerText);
            if (issuer is null)
            {
                reader.Error("issuer_url", "must be an https URL (http only on loopback)");
            }
        }

        string? clientId = reader.String(config, "client_id", "", required: true);
        string? clientSecret = reader.String(config, "client_secret", "");
        List<string> scopes = reader.Strings(config, "scopes", "") ?? [.. DefaultScopes];
        for (int i = 0; i < scopes.Count; i++)
        {
            if (scopes[i].Length == 0 || scopes[i].Any(c => c is <= ' ' or '"' or '\\' or > '~'))
            {
                reader.Error($"scopes[{i}]", "must be a scope name without spaces or quotes");
            }
        }

        if (!scopes.Contains("openid"))
        {
            scopes.Insert(0, "openid");
        }

        string? authId = reader.String(config, "auth_id", "");
        if (authId is not null && (authId.Length is 0 or > 64 || !authId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            reader.Error("auth_id", "must be 1 to 64 letters, digits, '-' or '_'");
        }

        TimeSpan idle = reader.Duration(config, "idle_session_timeout", "") ?? DefaultIdleTimeout;
        TimeSpan max = reader.Duration(config, "max_session_duration", "") ?? DefaultMaxDuration;
        bool allowPreflight = reader.Bool(config, "allow_cors_preflight", "") ?? false;

        if (reader.ErrorCount > before)
        {
            return null;
        }

        var options = new OidcOptions(issuer!, clientId!, clientSecret, scopes, authId, idle, max, allowPreflight);
        Uri discovery = SigningKeySource.DiscoveryUri(issuer!);
        var configuration = new ConfigurationManager<OpenIdConnectConfiguration>(
            discovery.AbsoluteUri, new OpenIdConnectConfigurationRetriever(), Discovery.Retriever(httpClient, discovery))
        {
            // An unknown kid in an id_token asks for a refresh; this keeps a flood of them from reaching the provider.
            RefreshInterval = SigningKeySource.UnknownKidRefreshInterval,
        };
        return new OidcAction(options, configuration, keys, httpClient, time);
    }
}

/// <summary>The oidc action's settings once read and checked.</summary>
internal sealed record OidcOptions(
    Uri Issuer,
    string ClientId,
    string? ClientSecret,
    IReadOnlyList<string> Scopes,
    string? AuthId,
    TimeSpan IdleTimeout,
    TimeSpan MaxDuration,
    bool AllowCorsPreflight);

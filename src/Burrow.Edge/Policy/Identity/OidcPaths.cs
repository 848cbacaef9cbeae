namespace Burrow.Edge.Policy.Identity;

/// <summary>
/// The paths the oidc action answers itself on every host it guards; requests to them never reach
/// the upstream. The callback is the redirect URI to register at the identity provider:
/// <c>https://&lt;tunnel host&gt;/.burrow/oidc/callback</c>.
/// </summary>
internal static class OidcPaths
{
    /// <summary>Where the identity provider sends the browser back with the authorization code.</summary>
    public const string Callback = "/.burrow/oidc/callback";

    /// <summary>Clears the session (and signs out at the provider when it has an end_session_endpoint).</summary>
    public const string Logout = "/.burrow/oidc/logout";

    /// <summary>The path of the sign-in state cookie: sent only to the callback.</summary>
    public const string StateCookiePath = "/.burrow/oidc/";
}

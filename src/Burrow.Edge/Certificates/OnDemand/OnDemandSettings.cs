using Burrow.Protocol.Errors;

namespace Burrow.Edge.Certificates.OnDemand;

/// <summary>Which challenge proves the on-demand certificates (<c>--acme-challenge</c>), and whether the listeners allow it.</summary>
internal static class OnDemandSettings
{
    public const string Http01 = "http-01";
    public const string TlsAlpn01 = "tls-alpn-01";

    /// <summary>
    /// The chosen challenge type: the setting, else http-01 when the HTTP listener is on. http-01 first because a CA
    /// validates it with a plain GET that needs nothing from the HTTPS path, and port 80 is usually open already for
    /// the redirect to https; tls-alpn-01 is for edges that serve 443 only.
    /// </summary>
    public static string ChallengeFor(EdgeOptions options) => options.AcmeChallenge ?? (options.HttpEndPoint is not null ? Http01 : TlsAlpn01);

    /// <summary>The <c>ERR_BURROW_5206</c> message when the setting cannot work with these listeners, or <see langword="null"/>.</summary>
    public static string? Validate(EdgeOptions options)
    {
        string? Error(string what, string todo) => ErrorCodes.AcmeSettingsInvalid.ToError(what, todo).ToString();
        return options.AcmeChallenge switch
        {
            null => null,
            Http01 when options.HttpEndPoint is null =>
                Error("--acme-challenge http-01 needs the HTTP listener, but --http-addr is off", "Give --http-addr (port 80 for a public CA), or --acme-challenge tls-alpn-01"),
            TlsAlpn01 when options.HttpsEndPoint is null =>
                Error("--acme-challenge tls-alpn-01 needs the HTTPS listener, but --https-addr is off", "Give --https-addr (port 443 for a public CA), or --acme-challenge http-01"),
            Http01 or TlsAlpn01 => null,
            { } other => Error($"--acme-challenge '{other}' is not a challenge type the edge answers", "Give http-01 or tls-alpn-01"),
        };
    }
}

using System.Text.Json.Nodes;

namespace Burrow.Edge.Policy.Identity;

/// <summary>The config of ngrok's <c>jwt-validation</c> action, read from its JSON.</summary>
internal sealed partial class JwtValidationAction
{
    /// <summary>The JWS algorithms IdentityModel verifies with public keys. HMAC ones would need a shared secret, which ngrok's key sources do not carry.</summary>
    internal static readonly string[] SupportedAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    /// <summary>
    /// Builds the action from its config:
    /// <code>
    /// issuer:   { allow_list: [ { value: https://issuer.example } ] }          # required
    /// audience: { allow_list: [ { value: api://burrow } ] }                    # required
    /// http:     { tokens: [ { type: jwt, method: header|query|cookie, name: Authorization, prefix: "Bearer " } ] }
    /// jws:      { allowed_algorithms: [RS256, ES256],                          # required
    ///             keys: { sources: { additional_jkus: [ https://issuer.example/jwks.json ] } } }
    /// </code>
    /// Without <c>additional_jkus</c> the keys come from each issuer's OpenID discovery document.
    /// Returns null and adds to <paramref name="errors"/> when the config is wrong.
    /// </summary>
    public static JwtValidationAction? Create(JsonObject config, HttpClient httpClient, TimeProvider time, List<(string Path, string Message)> errors)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(errors);
        var reader = new ConfigReader(errors);
        int before = reader.ErrorCount;
        reader.RejectUnknown(config, "", "issuer", "audience", "http", "jws");

        List<string> issuers = AllowList(reader, config, "issuer");
        List<string> audiences = AllowList(reader, config, "audience");
        List<TokenLocation> locations = Locations(reader, config);

        var algorithms = new List<string>();
        var jkus = new List<Uri>();
        if (reader.Object(config, "jws", "", required: true) is { } jws)
        {
            reader.RejectUnknown(jws, "jws", "allowed_algorithms", "keys");
            List<string>? listed = reader.Strings(jws, "allowed_algorithms", "jws");
            if (listed is null)
            {
                reader.Error("jws.allowed_algorithms", "is required");
            }
            else if (listed.Count == 0)
            {
                reader.Error("jws.allowed_algorithms", "must list at least one algorithm");
            }

            for (int i = 0; listed is not null && i < listed.Count; i++)
            {
                if (Array.IndexOf(SupportedAlgorithms, listed[i]) < 0)
                {
                    reader.Error($"jws.allowed_algorithms[{i}]", $"'{listed[i]}' is not supported; use one of {string.Join(", ", SupportedAlgorithms)}");
                }
                else
                {
                    algorithms.Add(listed[i]);
                }
            }

            if (reader.Object(jws, "keys", "jws") is { } keys)
            {
                reader.RejectUnknown(keys, "jws.keys", "sources");
                if (reader.Object(keys, "sources", "jws.keys") is { } sources)
                {
                    reader.RejectUnknown(sources, "jws.keys.sources", "additional_jkus");
                    List<string>? urls = reader.Strings(sources, "additional_jkus", "jws.keys.sources");
                    for (int i = 0; urls is not null && i < urls.Count; i++)
                    {
                        if (HttpUrl(urls[i]) is { } url)
                        {
                            jkus.Add(url);
                        }
                        else
                        {
                            reader.Error($"jws.keys.sources.additional_jkus[{i}]", "must be an https URL (http only on loopback)");
                        }
                    }
                }
            }
        }

        // Without a JWKS URL the keys come from discovery, which needs issuers that are URLs.
        var issuerUris = new List<Uri>();
        if (jkus.Count == 0)
        {
            for (int i = 0; i < issuers.Count; i++)
            {
                if (HttpUrl(issuers[i]) is { } issuer)
                {
                    issuerUris.Add(issuer);
                }
                else
                {
                    reader.Error($"issuer.allow_list[{i}].value", "must be an https URL for OpenID discovery, or give jws.keys.sources.additional_jkus");
                }
            }
        }

        if (reader.ErrorCount > before)
        {
            return null;
        }

        return new JwtValidationAction(locations, issuers, audiences, algorithms, new SigningKeySource(jkus, issuerUris, httpClient, time), time);
    }

    private static List<string> AllowList(ConfigReader reader, JsonObject config, string key)
    {
        var values = new List<string>();
        if (reader.Object(config, key, "", required: true) is not { } section)
        {
            return values;
        }

        reader.RejectUnknown(section, key, "allow_list");
        if (reader.Items(section, "allow_list", key, required: true) is not { } list)
        {
            return values;
        }

        if (list.Count == 0)
        {
            reader.Error($"{key}.allow_list", "must list at least one value");
        }

        for (int i = 0; i < list.Count; i++)
        {
            string path = $"{key}.allow_list[{i}]";
            if (list[i] is not JsonObject entry)
            {
                reader.Error(path, "must be an object with a value, e.g. { value: ... }");
                continue;
            }

            reader.RejectUnknown(entry, path, "value");
            if (reader.String(entry, "value", path, required: true) is { } value)
            {
                values.Add(value);
            }
        }

        return values;
    }

    private static List<TokenLocation> Locations(ConfigReader reader, JsonObject config)
    {
        if (reader.Object(config, "http", "") is not { } http)
        {
            return [TokenLocation.BearerHeader];
        }

        reader.RejectUnknown(http, "http", "tokens");
        if (reader.Items(http, "tokens", "http") is not { } tokens)
        {
            return [TokenLocation.BearerHeader];
        }

        var locations = new List<TokenLocation>();
        for (int i = 0; i < tokens.Count; i++)
        {
            string path = $"http.tokens[{i}]";
            if (tokens[i] is not JsonObject entry)
            {
                reader.Error(path, "must be an object with method and name");
                continue;
            }

            reader.RejectUnknown(entry, path, "type", "method", "name", "prefix");
            if (reader.String(entry, "type", path) is { } type && type != "jwt")
            {
                reader.Error(path + ".type", "must be 'jwt'");
            }

            TokenMethod? method = reader.String(entry, "method", path) switch
            {
                null or "header" => TokenMethod.Header,
                "query" => TokenMethod.Query,
                "cookie" => TokenMethod.Cookie,
                _ => null,
            };
            if (method is null)
            {
                reader.Error(path + ".method", "must be header, query or cookie");
                continue;
            }

            string? name = reader.String(entry, "name", path, required: method != TokenMethod.Header) ?? (method == TokenMethod.Header ? "Authorization" : null);
            string prefix = reader.String(entry, "prefix", path) ?? (method == TokenMethod.Header && string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase) ? "Bearer " : "");
            if (name is not null)
            {
                locations.Add(new TokenLocation(method.Value, name, prefix));
            }
        }

        if (locations.Count == 0 && tokens.Count == 0)
        {
            reader.Error("http.tokens", "must list at least one place to look for the token");
        }

        return locations;
    }

    /// <summary>An absolute https URL, or http to a loopback host (a provider next to the edge, the tests').</summary>
    internal static Uri? HttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback) ? uri : null;
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Burrow.Edge.Policy.Identity;

/// <summary>
/// What the oidc session cookie holds (sealed by <see cref="OidcKeys"/>): the identity's claims,
/// when the session started (for <c>max_session_duration</c>) and when it was last used (for
/// <c>idle_session_timeout</c>). Times are Unix seconds.
/// </summary>
internal sealed record OidcSession(Dictionary<string, object?> Claims, long StartedAt, long SeenAt)
{
    /// <summary>Protocol claims of an id_token that say nothing about the person and only make the cookie bigger.</summary>
    private static readonly string[] Dropped = ["nonce", "at_hash", "c_hash", "s_hash", "aud", "azp", "exp", "iat", "nbf", "auth_time", "jti", "sid", "acr", "amr"];

    public static Dictionary<string, object?> PersonClaims(JsonElement claims)
    {
        Dictionary<string, object?> values = ClaimValues.FromObject(claims);
        foreach (string name in Dropped)
        {
            values.Remove(name);
        }

        return values;
    }

    public string Serialize(bool identityOnly = false)
    {
        var claims = new JsonObject();
        foreach (KeyValuePair<string, object?> pair in identityOnly ? ClaimValues.Identity(Claims) : Claims)
        {
            claims[pair.Key] = ToNode(pair.Value);
        }

        return new JsonObject { ["c"] = claims, ["s"] = StartedAt, ["l"] = SeenAt }.ToJsonString();
    }

    public static OidcSession? Parse(string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            return new OidcSession(ClaimValues.FromObject(root.GetProperty("c")), root.GetProperty("s").GetInt64(), root.GetProperty("l").GetInt64());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        string text => JsonValue.Create(text),
        long whole => JsonValue.Create(whole),
        double real => JsonValue.Create(real),
        bool flag => JsonValue.Create(flag),
        IEnumerable<KeyValuePair<string, object?>> obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, ToNode(p.Value)))),
        IEnumerable<object?> list => new JsonArray([.. list.Select(ToNode)]),
        _ => JsonValue.Create(value.ToString()),
    };
}

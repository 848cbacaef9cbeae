using System.Text.Json;

namespace Burrow.Edge.Policy.Identity;

/// <summary>Turns JSON claims into the plain .NET values policy expressions read (string, long, double, bool, lists, dictionaries).</summary>
internal static class ClaimValues
{
    public static Dictionary<string, object?> FromObject(JsonElement obj)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (JsonProperty property in obj.EnumerateObject())
        {
            values[property.Name] = From(property.Value);
        }

        return values;
    }

    public static object? From(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out long whole) ? whole : value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => value.EnumerateArray().Select(From).ToList(),
        JsonValueKind.Object => FromObject(value),
        _ => null,
    };

    /// <summary>The identity variables ngrok exposes (sub, email, name...) taken from the claims, absent ones left out.</summary>
    public static Dictionary<string, object?> Identity(IReadOnlyDictionary<string, object?> claims)
    {
        var identity = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (string name in (ReadOnlySpan<string>)["sub", "email", "email_verified", "name", "preferred_username", "given_name", "family_name", "iss"])
        {
            if (claims.TryGetValue(name, out object? value) && value is not null)
            {
                identity[name] = value;
            }
        }

        return identity;
    }
}

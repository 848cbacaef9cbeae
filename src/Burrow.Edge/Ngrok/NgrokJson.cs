using System.Text.Json;

namespace Burrow.Edge.Ngrok;

/// <summary>
/// Tolerant reads of the clients' JSON: a missing or null field is its default, a field of another
/// type is an error naming it. The clients disagree on spellings (the Go agent's <c>Authtoken</c>,
/// the SDK's <c>AuthToken</c>), so each read may name several.
/// </summary>
internal static class NgrokJson
{
    public static JsonElement? Find(JsonElement parent, params ReadOnlySpan<string> names)
    {
        if (parent.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (string name in names)
        {
            if (parent.TryGetProperty(name, out JsonElement value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
            {
                return value;
            }
        }

        return null;
    }

    public static string String(JsonElement parent, params ReadOnlySpan<string> names) => Find(parent, names) switch
    {
        null => "",
        { ValueKind: JsonValueKind.String } value => value.GetString() ?? "",
        { } other => throw new NgrokRequestException($"{names[0]} must be a string, not {other.ValueKind}"),
    };

    public static bool Bool(JsonElement parent, string name) => Find(parent, name) switch
    {
        null => false,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { } other => throw new NgrokRequestException($"{name} must be true or false, not {other.ValueKind}"),
    };

    public static long Int64(JsonElement parent, string name) => Find(parent, name) switch
    {
        null => 0,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt64(out long n) => n,
        { ValueKind: JsonValueKind.String } text when long.TryParse(text.GetString(), System.Globalization.CultureInfo.InvariantCulture, out long n) => n,
        { } other => throw new NgrokRequestException($"{name} must be a whole number, not {other.ValueKind}"),
    };

    public static List<string> Strings(JsonElement parent, string name)
    {
        var list = new List<string>();
        switch (Find(parent, name))
        {
            case null:
                break;
            case { ValueKind: JsonValueKind.Array } array:
                foreach (JsonElement item in array.EnumerateArray())
                {
                    list.Add(item.ValueKind == JsonValueKind.String ? item.GetString() ?? "" : throw new NgrokRequestException($"{name} must hold strings"));
                }

                break;
            case { } other:
                throw new NgrokRequestException($"{name} must be a list, not {other.ValueKind}");
        }

        return list;
    }

    /// <summary>Whether an optional section is given with any content (a non-empty object, list or string, or true).</summary>
    public static bool IsSet(JsonElement parent, string name) => Find(parent, name) switch
    {
        null => false,
        { ValueKind: JsonValueKind.Object } o => o.EnumerateObject().Any(p => p.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.False)
            && !(p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() is "")
            && !(p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() == 0)),
        { ValueKind: JsonValueKind.Array } a => a.GetArrayLength() > 0,
        { ValueKind: JsonValueKind.String } s => s.GetString() is { Length: > 0 },
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.Number } n => n.GetRawText() != "0",
        _ => true,
    };
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Burrow.Edge.Policy.Identity;

/// <summary>
/// Reads an action's config object and reports what is wrong as (JSON path, message) pairs
/// instead of throwing, so the policy loader can point at the line and show every mistake at once.
/// Paths are relative to the action's <c>config</c> (e.g. <c>issuer.allow_list[0].value</c>).
/// </summary>
internal sealed class ConfigReader(List<(string Path, string Message)> errors)
{
    public List<(string Path, string Message)> Errors { get; } = errors;

    public int ErrorCount => Errors.Count;

    public void Error(string path, string message) => Errors.Add((path, message));

    /// <summary>Reports keys of <paramref name="obj"/> that are not in <paramref name="known"/>: a typo must not silently drop a check.</summary>
    public void RejectUnknown(JsonObject obj, string prefix, params string[] known)
    {
        foreach (KeyValuePair<string, JsonNode?> pair in obj)
        {
            if (Array.IndexOf(known, pair.Key) < 0)
            {
                Error(Join(prefix, pair.Key), $"unknown key '{pair.Key}'; expected one of {string.Join(", ", known)}");
            }
        }
    }

    public JsonObject? Object(JsonObject parent, string key, string prefix, bool required = false)
    {
        JsonNode? node = parent[key];
        if (node is null)
        {
            if (required)
            {
                Error(Join(prefix, key), "is required");
            }

            return null;
        }

        if (node is JsonObject obj)
        {
            return obj;
        }

        Error(Join(prefix, key), "must be an object");
        return null;
    }

    public JsonArray? Items(JsonObject parent, string key, string prefix, bool required = false)
    {
        JsonNode? node = parent[key];
        if (node is null)
        {
            if (required)
            {
                Error(Join(prefix, key), "is required");
            }

            return null;
        }

        if (node is JsonArray array)
        {
            return array;
        }

        Error(Join(prefix, key), "must be a list");
        return null;
    }

    public string? String(JsonNode? parent, string key, string prefix, bool required = false)
    {
        JsonNode? node = parent?[key];
        return StringValue(node, Join(prefix, key), required);
    }

    public string? StringValue(JsonNode? node, string path, bool required = false)
    {
        if (node is null)
        {
            if (required)
            {
                Error(path, "is required");
            }

            return null;
        }

        if (node.GetValueKind() == JsonValueKind.String && node.GetValue<string>() is { } text)
        {
            if (required && text.Length == 0)
            {
                Error(path, "must not be empty");
                return null;
            }

            return text;
        }

        Error(path, "must be a string");
        return null;
    }

    public bool? Bool(JsonObject parent, string key, string prefix)
    {
        JsonNode? node = parent[key];
        if (node is null)
        {
            return null;
        }

        switch (node.GetValueKind())
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                Error(Join(prefix, key), "must be true or false");
                return null;
        }
    }

    /// <summary>A list of strings, e.g. <c>allowed_algorithms</c>; null when absent.</summary>
    public List<string>? Strings(JsonObject parent, string key, string prefix)
    {
        JsonArray? array = Items(parent, key, prefix);
        if (array is null)
        {
            return null;
        }

        var values = new List<string>(array.Count);
        for (int i = 0; i < array.Count; i++)
        {
            if (StringValue(array[i], $"{Join(prefix, key)}[{i}]", required: true) is { } value)
            {
                values.Add(value);
            }
        }

        return values;
    }

    /// <summary>
    /// A duration as ngrok writes them: a Go-style string ("30s", "15m", "12h", "1h30m") or a
    /// number of seconds; null when absent.
    /// </summary>
    public TimeSpan? Duration(JsonObject parent, string key, string prefix)
    {
        JsonNode? node = parent[key];
        if (node is null)
        {
            return null;
        }

        string path = Join(prefix, key);
        TimeSpan? value = node.GetValueKind() switch
        {
            JsonValueKind.Number when node.GetValue<double>() is var seconds && seconds > 0 && seconds < 10 * 365 * 86400.0 => TimeSpan.FromSeconds(seconds),
            JsonValueKind.String => ParseDuration(node.GetValue<string>()),
            _ => null,
        };
        if (value is not { } duration || duration <= TimeSpan.Zero)
        {
            Error(path, "must be a positive duration such as 30s, 15m or 12h");
            return null;
        }

        return duration;
    }

    internal static TimeSpan? ParseDuration(string text)
    {
        TimeSpan total = TimeSpan.Zero;
        int i = 0;
        if (text.Length == 0)
        {
            return null;
        }

        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (i == start || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount))
            {
                return null;
            }

            int unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            double seconds = text[unitStart..i] switch
            {
                "ms" => amount / 1000,
                "s" => amount,
                "m" => amount * 60,
                "h" => amount * 3600,
                "d" => amount * 86400,
                _ => double.NaN,
            };
            if (double.IsNaN(seconds) || seconds > 10 * 365 * 86400.0)
            {
                return null;
            }

            total += TimeSpan.FromSeconds(seconds);
        }

        return total;
    }

    public static string Join(string prefix, string key) => prefix.Length == 0 ? key : prefix + "." + key;
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Burrow.Edge.Policy.Expressions;
using Burrow.Edge.Policy.Variables;
using YamlDotNet.Core;

namespace Burrow.Edge.Policy.Loading;

/// <summary>
/// An action's <c>config</c> while the action is being built: typed reads that record a <see cref="PolicyError"/> at the
/// value's line (and return <see langword="null"/>) instead of throwing, so one pass reports every mistake; and
/// <see cref="Known"/> refuses keys the action does not have, since a misspelt key silently ignored is a policy that
/// does less than written.
/// </summary>
internal sealed class ActionConfig
{
    private readonly Dictionary<string, Mark> _marks;
    private readonly List<PolicyError> _errors;

    public ActionConfig(JsonObject json, string path, PolicyPhaseKind phase, PolicyServices services, Dictionary<string, Mark> marks, List<PolicyError> errors)
    {
        Json = json;
        Path = path;
        Phase = phase;
        Services = services;
        _marks = marks;
        _errors = errors;
    }

    public JsonObject Json { get; }

    /// <summary>The config's key path in the document, for example <c>on_http_request[0].actions[1].config</c>.</summary>
    public string Path { get; }

    public PolicyPhaseKind Phase { get; }

    public PolicyServices Services { get; }

    public CelEnvironment<PolicyContext> Environment => PolicyEnvironments.For(Phase);

    public int ErrorCount => _errors.Count;

    /// <summary>Records an error at <paramref name="key"/> (a path under the config, like <c>headers</c> or <c>allow[2]</c>).</summary>
    public void Error(string key, string message)
    {
        string full = key.Length == 0 ? Path : $"{Path}.{key}";
        Mark mark = Find(full);
        _errors.Add(new PolicyError((int)mark.Line, (int)mark.Column, full, message));
    }

    /// <summary>Refuses every key outside <paramref name="known"/>.</summary>
    public void Known(params string[] known)
    {
        foreach ((string key, _) in Json)
        {
            if (Array.IndexOf(known, key) < 0)
            {
                Error(key, $"unknown key '{key}'; this action has {string.Join(", ", known)}");
            }
        }
    }

    public bool Has(string key) => Json.TryGetPropertyValue(key, out JsonNode? value) && value is not null;

    public string? String(string key, bool required = false)
    {
        if (!Json.TryGetPropertyValue(key, out JsonNode? node) || node is null)
        {
            if (required)
            {
                Error("", $"'{key}' is required");
            }

            return null;
        }

        if (node is JsonValue value && value.GetValueKind() is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
        }

        Error(key, "expected a string");
        return null;
    }

    public long? Integer(string key, long min, long max, bool required = false)
    {
        if (!Json.TryGetPropertyValue(key, out JsonNode? node) || node is null)
        {
            if (required)
            {
                Error("", $"'{key}' is required");
            }

            return null;
        }

        long number;
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue(out long n))
        {
            number = n;
        }
        else if (node is JsonValue text && text.GetValueKind() == JsonValueKind.String
            && long.TryParse(text.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out long parsed))
        {
            number = parsed;
        }
        else
        {
            Error(key, "expected a whole number");
            return null;
        }

        if (number < min || number > max)
        {
            Error(key, string.Create(CultureInfo.InvariantCulture, $"expected a whole number from {min} to {max}, not {number}"));
            return null;
        }

        return number;
    }

    public bool? Boolean(string key)
    {
        if (!Json.TryGetPropertyValue(key, out JsonNode? node) || node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetValue<bool>();
        }

        Error(key, "expected true or false");
        return null;
    }

    /// <summary>A list of strings; a single string is taken as a list of one.</summary>
    public IReadOnlyList<string>? Strings(string key, bool required = false)
    {
        if (!Json.TryGetPropertyValue(key, out JsonNode? node) || node is null)
        {
            if (required)
            {
                Error("", $"'{key}' is required");
            }

            return null;
        }

        if (node is JsonValue single && single.GetValueKind() == JsonValueKind.String)
        {
            return [single.GetValue<string>()];
        }

        if (node is not JsonArray array)
        {
            Error(key, "expected a list of strings");
            return null;
        }

        var list = new List<string>(array.Count);
        for (int i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonValue item && item.GetValueKind() is JsonValueKind.String or JsonValueKind.Number)
            {
                list.Add(item.GetValueKind() == JsonValueKind.String ? item.GetValue<string>() : item.ToJsonString());
            }
            else
            {
                Error($"{key}[{i}]", "expected a string");
            }
        }

        return list;
    }

    /// <summary>A map of strings to strings (header name → value), in document order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? StringMap(string key, bool required = false)
    {
        if (!Json.TryGetPropertyValue(key, out JsonNode? node) || node is null)
        {
            if (required)
            {
                Error("", $"'{key}' is required");
            }

            return null;
        }

        if (node is not JsonObject map)
        {
            Error(key, "expected a map of names to values");
            return null;
        }

        var list = new List<KeyValuePair<string, string>>(map.Count);
        foreach ((string name, JsonNode? value) in map)
        {
            if (value is JsonValue item && item.GetValueKind() is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            {
                list.Add(new(name, item.GetValueKind() == JsonValueKind.String ? item.GetValue<string>() : item.ToJsonString()));
            }
            else
            {
                Error($"{key}.{name}", "expected a string value");
            }
        }

        return list;
    }

    /// <summary>A duration as ngrok writes them: <c>60s</c>, <c>5m</c>, <c>1h</c>, <c>500ms</c>, or a number of seconds.</summary>
    public TimeSpan? Duration(string key, TimeSpan min, TimeSpan max, bool required = false)
    {
        string? text = String(key, required);
        if (text is null)
        {
            return null;
        }

        if (!Durations.TryParse(text, out TimeSpan duration))
        {
            Error(key, $"'{text}' is not a duration; write it like 500ms, 60s, 5m or 1h");
            return null;
        }

        if (duration < min || duration > max)
        {
            Error(key, $"{text} is out of range: from {Durations.Format(min)} to {Durations.Format(max)}");
            return null;
        }

        return duration;
    }

    /// <summary>A string with <c>${expr}</c> interpolation, compiled now.</summary>
    public CelTemplate<PolicyContext>? Template(string key, bool required = false)
    {
        string? text = String(key, required);
        return text is null ? null : CompileTemplate(key, text);
    }

    public CelTemplate<PolicyContext>? CompileTemplate(string key, string text)
    {
        try
        {
            return Environment.CompileTemplate(text);
        }
        catch (CelCompileException ex)
        {
            Error(key, $"{ex.Reason} (at character {ex.Position + 1} of \"{Shorten(text)}\")");
            return null;
        }
    }

    /// <summary>A CEL expression, compiled now.</summary>
    public CelProgram<PolicyContext>? Expression(string key, string text)
    {
        try
        {
            return Environment.Compile(text);
        }
        catch (CelCompileException ex)
        {
            Error(key, $"{ex.Reason} (at character {ex.Position + 1} of \"{Shorten(text)}\")");
            return null;
        }
    }

    /// <summary>Records errors an action's own config reader returned as (path under config, message).</summary>
    public void AddErrors(IEnumerable<(string Path, string Message)> errors)
    {
        foreach ((string path, string message) in errors)
        {
            Error(path, message);
        }
    }

    private Mark Find(string path)
    {
        // The deepest part of the path that was in the document: a missing key points at its parent.
        for (string p = path; p.Length > 0; p = Parent(p))
        {
            if (_marks.TryGetValue(p, out Mark mark))
            {
                return mark;
            }
        }

        return Mark.Empty;
    }

    private static string Parent(string path)
    {
        int cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }

    internal static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}

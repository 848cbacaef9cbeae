using System.Text.Json;
using System.Text.Json.Nodes;
using Burrow.Edge.Policy.Expressions;
using Burrow.Edge.Policy.Loading;

namespace Burrow.Edge.Policy.Actions;

/// <summary>
/// <c>set-vars</c>: <c>vars: [{name: value}, …]</c> — each value (a string may interpolate <c>${…}</c>; numbers and booleans
/// stay what they are) becomes <c>vars.name</c> for the rules after it.
/// </summary>
internal sealed class SetVarsAction : PolicyAction
{
    private readonly (string Name, CelTemplate<PolicyContext>? Template, object? Constant)[] _vars;

    private SetVarsAction((string, CelTemplate<PolicyContext>?, object?)[] vars)
    {
        _vars = vars;
    }

    private static readonly System.Buffers.SearchValues<char> NameChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    public override string Type => "set-vars";

    public static PolicyAction? Create(ActionConfig config)
    {
        config.Known("vars");
        var vars = new List<(string, CelTemplate<PolicyContext>?, object?)>();
        if (!config.Json.TryGetPropertyValue("vars", out JsonNode? node) || node is not JsonArray list)
        {
            config.Error(config.Has("vars") ? "vars" : "", "'vars' is required: a list of {name: value} maps");
            return null;
        }

        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject entry)
            {
                config.Error($"vars[{i}]", "expected a map of one name to its value");
                continue;
            }

            foreach ((string name, JsonNode? value) in entry)
            {
                if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_') || name.AsSpan().IndexOfAnyExcept(NameChars) >= 0)
                {
                    config.Error($"vars[{i}].{name}", $"'{name}' is not a variable name (letters, digits and _, not starting with a digit)");
                    continue;
                }

                switch (value)
                {
                    case JsonValue text when text.GetValueKind() == JsonValueKind.String:
                        if (config.CompileTemplate($"vars[{i}].{name}", text.GetValue<string>()) is { } template)
                        {
                            vars.Add((name, template, null));
                        }

                        break;
                    case JsonValue number when number.GetValueKind() == JsonValueKind.Number:
                        vars.Add((name, null, number.TryGetValue(out long integer) ? integer : number.GetValue<double>()));
                        break;
                    case JsonValue flag when flag.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                        vars.Add((name, null, flag.GetValue<bool>()));
                        break;
                    case null:
                        vars.Add((name, null, null));
                        break;
                    default:
                        config.Error($"vars[{i}].{name}", "expected a string, number, boolean or null");
                        break;
                }
            }
        }

        return new SetVarsAction([.. vars]);
    }

    public override ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        foreach ((string name, CelTemplate<PolicyContext>? template, object? constant) in _vars)
        {
            context.Vars.Set(name, template is null ? constant : template.Render(context));
        }

        return new ValueTask<ActionResult>(ActionResult.Continue);
    }
}

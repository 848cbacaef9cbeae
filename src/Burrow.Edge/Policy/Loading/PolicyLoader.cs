using System.Text.Json.Nodes;
using Burrow.Edge.Policy.Actions;
using Burrow.Edge.Policy.Expressions;
using Burrow.Edge.Policy.Variables;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Burrow.Edge.Policy.Loading;

/// <summary>
/// Reads a traffic policy document (YAML, or JSON, which is YAML) into a <see cref="TrafficPolicy"/>, compiling every
/// expression and action config on the way. Every mistake is reported with its line, column and key path; a document
/// with any mistake yields no policy at all, so nothing is half-applied.
/// </summary>
internal static class PolicyLoader
{
    private const string TcpConnect = "on_tcp_connect";
    private const string HttpRequest = "on_http_request";
    private const string HttpResponse = "on_http_response";

    /// <summary>Loads <paramref name="text"/> for a tunnel of <paramref name="proto"/> (<c>http</c>, <c>tcp</c>, <c>tls</c>).</summary>
    public static PolicyLoadResult Load(string text, string proto, PolicyServices services, PolicyLimits? limits = null)
    {
        limits ??= new PolicyLimits();
        var errors = new List<PolicyError>();
        if (text.Length > limits.MaxDocumentLength)
        {
            errors.Add(new PolicyError(0, 0, "", $"the document is {text.Length} characters; at most {limits.MaxDocumentLength} are accepted"));
            return new PolicyLoadResult(null, errors);
        }

        YamlNode? root = Parse(text, limits, errors);
        if (root is null)
        {
            return new PolicyLoadResult(null, errors);
        }

        return Load(root, proto, services, limits, errors);
    }

    /// <summary>Loads a node already parsed (a config file's <c>traffic_policy:</c>), so errors carry the config file's lines.</summary>
    public static PolicyLoadResult Load(YamlNode root, string proto, PolicyServices services, PolicyLimits? limits = null) =>
        Load(root, proto, services, limits ?? new PolicyLimits(), []);

    private static PolicyLoadResult Load(YamlNode root, string proto, PolicyServices services, PolicyLimits limits, List<PolicyError> errors)
    {
        if (root is YamlScalarNode { Value: null or "" })
        {
            return new PolicyLoadResult(new TrafficPolicy(PolicyPhase.Empty, PolicyPhase.Empty, PolicyPhase.Empty), errors);
        }

        if (root is not YamlMappingNode document)
        {
            errors.Add(At(root, "", "expected a map with on_tcp_connect, on_http_request or on_http_response"));
            return new PolicyLoadResult(null, errors);
        }

        bool http = proto == "http";
        PolicyPhase tcp = PolicyPhase.Empty, request = PolicyPhase.Empty, response = PolicyPhase.Empty;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((YamlNode keyNode, YamlNode value) in document.Children)
        {
            string key = (keyNode as YamlScalarNode)?.Value ?? "";
            // ngrok's older JSON form: {"inbound": [...], "outbound": [...]} with PascalCase keys.
            string phase = key.ToLowerInvariant() switch
            {
                "inbound" => http ? HttpRequest : TcpConnect,
                "outbound" => HttpResponse,
                var lower => lower,
            };
            if (!seen.Add(phase))
            {
                errors.Add(At(keyNode, key, $"{phase} is given twice"));
                continue;
            }

            switch (phase)
            {
                case TcpConnect:
                    tcp = Phase(value, key, PolicyPhaseKind.TcpConnect, services, limits, errors);
                    break;
                case HttpRequest or HttpResponse when !http:
                    errors.Add(At(keyNode, key, $"a {proto} tunnel has only on_tcp_connect; {phase} is for http tunnels"));
                    break;
                case HttpRequest:
                    request = Phase(value, key, PolicyPhaseKind.HttpRequest, services, limits, errors);
                    break;
                case HttpResponse:
                    response = Phase(value, key, PolicyPhaseKind.HttpResponse, services, limits, errors);
                    break;
                case "on_event_stream_message":
                    errors.Add(At(keyNode, key, "Burrow's traffic policy has on_tcp_connect, on_http_request and on_http_response; on_event_stream_message is not served"));
                    break;
                default:
                    errors.Add(At(keyNode, key, $"unknown phase '{key}'; a policy has on_tcp_connect, on_http_request and on_http_response"));
                    break;
            }
        }

        return new PolicyLoadResult(errors.Count == 0 ? new TrafficPolicy(tcp, request, response) : null, errors);
    }

    private static YamlNode? Parse(string text, PolicyLimits limits, List<PolicyError> errors)
    {
        // A first pass over the events, which YamlDotNet reads without recursion: depth and aliases are checked before
        // the node tree (built recursively) exists, so neither `[[[[…` nor an alias bomb can hurt the edge.
        try
        {
            var parser = new Parser(new StringReader(text));
            int depth = 0;
            int documents = 0;
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case AnchorAlias alias:
                        errors.Add(new PolicyError((int)alias.Start.Line, (int)alias.Start.Column, "", "YAML anchors and aliases are not accepted in a policy; write the value out"));
                        return null;
                    case MappingStart or SequenceStart:
                        if (++depth > limits.MaxDepth)
                        {
                            Mark m = parser.Current!.Start;
                            errors.Add(new PolicyError((int)m.Line, (int)m.Column, "", $"the document nests deeper than {limits.MaxDepth} levels"));
                            return null;
                        }

                        break;
                    case MappingEnd or SequenceEnd:
                        depth--;
                        break;
                    case DocumentStart:
                        if (++documents > 1)
                        {
                            Mark m = parser.Current!.Start;
                            errors.Add(new PolicyError((int)m.Line, (int)m.Column, "", "the document holds more than one YAML document; give one policy"));
                            return null;
                        }

                        break;
                }
            }

            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Count == 0 ? new YamlScalarNode() : stream.Documents[0].RootNode;
        }
        catch (YamlException ex)
        {
            errors.Add(new PolicyError((int)ex.Start.Line, (int)ex.Start.Column, "", $"not valid YAML or JSON: {ex.InnerException?.Message ?? ex.Message}"));
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet throws these, not a YamlException, on some malformed documents (a plain scalar cut short, a key
            // whose event it does not expect): found by the policy fuzz target, kept in bench/fuzz/regressions/policy.
            errors.Add(new PolicyError(0, 0, "", $"not valid YAML or JSON: {ex.Message}"));
            return null;
        }
    }

    private static PolicyPhase Phase(YamlNode value, string path, PolicyPhaseKind kind, PolicyServices services, PolicyLimits limits, List<PolicyError> errors)
    {
        if (value is YamlScalarNode { Value: null or "" })
        {
            return PolicyPhase.Empty;
        }

        if (value is not YamlSequenceNode list)
        {
            errors.Add(At(value, path, "expected a list of rules, each with actions"));
            return PolicyPhase.Empty;
        }

        if (list.Children.Count > limits.MaxRulesPerPhase)
        {
            errors.Add(At(value, path, $"{list.Children.Count} rules; a phase holds at most {limits.MaxRulesPerPhase}"));
            return PolicyPhase.Empty;
        }

        var rules = new List<PolicyRule>(list.Children.Count);
        for (int i = 0; i < list.Children.Count; i++)
        {
            if (Rule(list.Children[i], $"{path}[{i}]", i, kind, services, limits, errors) is { } rule)
            {
                rules.Add(rule);
            }
        }

        return new PolicyPhase(rules);
    }

    private static PolicyRule? Rule(YamlNode node, string path, int index, PolicyPhaseKind kind, PolicyServices services, PolicyLimits limits, List<PolicyError> errors)
    {
        if (node is not YamlMappingNode map)
        {
            errors.Add(At(node, path, "expected a rule: a map with actions, and optionally name and expressions"));
            return null;
        }

        string name = $"#{index + 1}";
        var expressions = new List<CelProgram<PolicyContext>>();
        var actions = new List<PolicyAction>();
        bool hasActions = false;
        foreach ((YamlNode keyNode, YamlNode value) in map.Children)
        {
            string key = (keyNode as YamlScalarNode)?.Value ?? "";
            string at = $"{path}.{key}";
            switch (key.ToLowerInvariant())
            {
                case "name":
                    if (value is YamlScalarNode { Value: { Length: > 0 } text })
                    {
                        name = text.Length <= 128 ? text : text[..128];
                    }
                    else
                    {
                        errors.Add(At(value, at, "expected a name (a string)"));
                    }

                    break;
                case "expressions":
                    Expressions(value, at, kind, limits, expressions, errors);
                    break;
                case "actions":
                    hasActions = true;
                    Actions(value, at, kind, services, limits, actions, errors);
                    break;
                default:
                    errors.Add(At(keyNode, at, $"unknown key '{key}'; a rule has name, expressions and actions"));
                    break;
            }
        }

        if (!hasActions)
        {
            errors.Add(At(node, path, "a rule needs actions"));
        }

        return new PolicyRule(name, expressions, actions);
    }

    private static void Expressions(YamlNode value, string path, PolicyPhaseKind kind, PolicyLimits limits, List<CelProgram<PolicyContext>> into, List<PolicyError> errors)
    {
        if (value is YamlScalarNode { Value: null or "" })
        {
            return;
        }

        if (value is not YamlSequenceNode list)
        {
            errors.Add(At(value, path, "expected a list of CEL expressions (strings), all of which must hold"));
            return;
        }

        if (list.Children.Count > limits.MaxExpressionsPerRule)
        {
            errors.Add(At(value, path, $"{list.Children.Count} expressions; a rule holds at most {limits.MaxExpressionsPerRule}"));
            return;
        }

        CelEnvironment<PolicyContext> environment = PolicyEnvironments.For(kind);
        for (int i = 0; i < list.Children.Count; i++)
        {
            YamlNode item = list.Children[i];
            if (item is not YamlScalarNode { Value: { } source })
            {
                errors.Add(At(item, $"{path}[{i}]", "expected a CEL expression (a string)"));
                continue;
            }

            try
            {
                into.Add(environment.Compile(source));
            }
            catch (CelCompileException ex)
            {
                errors.Add(At(item, $"{path}[{i}]", $"{ex.Reason} (at character {ex.Position + 1} of \"{ActionConfig.Shorten(source)}\")"));
            }
        }
    }

    private static void Actions(YamlNode value, string path, PolicyPhaseKind kind, PolicyServices services, PolicyLimits limits, List<PolicyAction> into, List<PolicyError> errors)
    {
        if (value is not YamlSequenceNode list || list.Children.Count == 0)
        {
            errors.Add(At(value, path, "expected a list of actions, each with type and config"));
            return;
        }

        if (list.Children.Count > limits.MaxActionsPerRule)
        {
            errors.Add(At(value, path, $"{list.Children.Count} actions; a rule holds at most {limits.MaxActionsPerRule}"));
            return;
        }

        for (int i = 0; i < list.Children.Count; i++)
        {
            string at = $"{path}[{i}]";
            if (list.Children[i] is not YamlMappingNode map)
            {
                errors.Add(At(list.Children[i], at, "expected an action: a map with type and config"));
                continue;
            }

            string? type = null;
            YamlNode? typeNode = null;
            YamlNode? configNode = null;
            foreach ((YamlNode keyNode, YamlNode item) in map.Children)
            {
                string key = (keyNode as YamlScalarNode)?.Value ?? "";
                switch (key.ToLowerInvariant())
                {
                    case "type":
                        type = (item as YamlScalarNode)?.Value;
                        typeNode = item;
                        break;
                    case "config":
                        configNode = item;
                        break;
                    default:
                        errors.Add(At(keyNode, $"{at}.{key}", $"unknown key '{key}'; an action has type and config"));
                        break;
                }
            }

            if (type is null)
            {
                errors.Add(At(map, at, "an action needs a type"));
                continue;
            }

            if (!ActionCatalog.TryFind(type, out ActionCatalog.Entry? entry))
            {
                errors.Add(At(typeNode!, $"{at}.type", $"unknown action type '{type}'; Burrow runs {string.Join(", ", ActionCatalog.Names)}"));
                continue;
            }

            if (!entry.Phases.Contains(kind))
            {
                errors.Add(At(typeNode!, $"{at}.type", $"{type} does not run in {PhaseName(kind)}; it runs in {string.Join(", ", entry.Phases.Select(PhaseName))}"));
                continue;
            }

            var marks = new Dictionary<string, Mark>(StringComparer.Ordinal);
            string configPath = $"{at}.config";
            JsonObject json;
            if (configNode is null or YamlScalarNode { Value: null or "" })
            {
                json = [];
                marks[configPath] = map.Start;
            }
            else if (configNode is YamlMappingNode)
            {
                json = (JsonObject)YamlToJson.Convert(configNode, configPath, marks)!;
                // The converter keyed marks by full path; ActionConfig looks them up the same way.
            }
            else
            {
                errors.Add(At(configNode, configPath, "expected a map of the action's settings"));
                continue;
            }

            var config = new ActionConfig(json, configPath, kind, services, marks, errors);
            int before = errors.Count;
            PolicyAction? action = entry.Create(config);
            if (action is not null && errors.Count == before)
            {
                into.Add(action);
            }
        }
    }

    private static string PhaseName(PolicyPhaseKind kind) => kind switch
    {
        PolicyPhaseKind.TcpConnect => TcpConnect,
        PolicyPhaseKind.HttpRequest => HttpRequest,
        _ => HttpResponse,
    };

    private static PolicyError At(YamlNode node, string path, string message) =>
        new((int)node.Start.Line, (int)node.Start.Column, path, message);
}

/// <summary>The policy, or the reasons there is none.</summary>
internal sealed record PolicyLoadResult(TrafficPolicy? Policy, IReadOnlyList<PolicyError> Errors)
{
    /// <summary>All errors in one message, the first in full and a count of the rest.</summary>
    public string Describe() => Errors.Count switch
    {
        0 => "",
        1 => Errors[0].ToString(),
        _ => $"{Errors[0]} (and {Errors.Count - 1} more: {string.Join("; ", Errors.Skip(1).Take(4))})",
    };
}

using Burrow.Protocol.Errors;
using Burrow.Protocol.Validation;
using YamlDotNet.RepresentationModel;

namespace Burrow.Cli.Config;

// The policy of an entry: ngrok v2's flat keys (basic_auth, ip_restriction, request_header...) and v3's traffic_policy
// rules, both checked value by value with the validators the edge uses, so a bad value is caught here with its line.
internal sealed partial class ConfigParser
{
    private delegate string? Check(string value, string option);

    /// <summary>Reads one of the policy keys shared by endpoints and tunnels; false when <paramref name="name"/> is not one.</summary>
    private bool ReadSharedOption(YamlScalarNode key, string name, YamlNode value, OptionsBuilder options)
    {
        switch (name)
        {
            case "inspect":
                options.Inspect = Bool(value, name);
                return true;
            case "basic_auth":
                AddChecked(Strings(value, name), name, options.BasicAuth, CheckBasicAuth);
                options.HttpOnly.Add((name, key));
                return true;
            case "host_header":
                if (Text(value, name) is { } host)
                {
                    if (HostHeaderRule.TryParse(host, out _, out ProtocolError? error))
                    {
                        options.HostHeader = host;
                    }
                    else
                    {
                        Invalid(value, name, Reason(error, "host_header"));
                    }
                }

                options.HttpOnly.Add((name, key));
                return true;
            case "ip_restriction":
                ReadPair(value, name, "allow_cidrs", "deny_cidrs", options.CidrAllow, options.CidrDeny, CheckCidr, CheckCidr);
                return true;
            case "request_header" or "response_header":
                bool request = name == "request_header";
                ReadPair(
                    value, name, "add", "remove",
                    request ? options.RequestHeaderAdd : options.ResponseHeaderAdd,
                    request ? options.RequestHeaderRemove : options.ResponseHeaderRemove,
                    CheckHeaderAdd, CheckHeaderRemove);
                options.HttpOnly.Add((name, key));
                return true;
            default:
                return false;
        }
    }

    /// <summary>A mapping with two list keys, such as ip_restriction's allow_cidrs and deny_cidrs.</summary>
    private void ReadPair(YamlNode value, string name, string first, string second, List<string> firstList, List<string> secondList, Check firstCheck, Check secondCheck)
    {
        if (Map(value, name) is not { } map)
        {
            return;
        }

        foreach ((YamlScalarNode key, string keyName, YamlNode item) in Entries(map, name))
        {
            if (keyName == first)
            {
                AddChecked(Strings(item, $"{name}.{first}"), $"{name}.{first}", firstList, firstCheck);
            }
            else if (keyName == second)
            {
                AddChecked(Strings(item, $"{name}.{second}"), $"{name}.{second}", secondList, secondCheck);
            }
            else
            {
                Unknown(key, keyName, name);
            }
        }
    }

    private void AddChecked(List<(YamlNode Node, string Value)>? items, string key, List<string> into, Check check)
    {
        for (int i = 0; i < (items?.Count ?? 0); i++)
        {
            (YamlNode node, string value) = items![i];
            string option = $"{key}[{into.Count}]";
            if (check(value, option) is { } reason)
            {
                Invalid(node, option, reason);
            }
            else
            {
                into.Add(value);
            }
        }
    }

    private static string? CheckBasicAuth(string value, string option) =>
        BasicAuthCredential.TryParse(value, out _, out ProtocolError? error, option) ? null : Reason(error, option);

    private static string? CheckCidr(string value, string option) =>
        CidrNotation.TryParse(value, out _, out ProtocolError? error, option) ? null : Reason(error, option);

    private static string? CheckHeaderAdd(string value, string option) =>
        HeaderAddition.TryParse(value, out _, out ProtocolError? error, option) ? null : Reason(error, option);

    private static string? CheckHeaderRemove(string value, string option) =>
        HeaderNames.TryValidateRemoval(value, out ProtocolError? error, option) ? null : Reason(error, option);

    /// <summary>The validator's message without its "Invalid option" lead, which the config message already says.</summary>
    private static string Reason(ProtocolError error, string option)
    {
        string message = error.Message.TrimEnd('.');
        string lead = $"Invalid {option}";
        return message.StartsWith(lead, StringComparison.Ordinal) ? message[lead.Length..].TrimStart(' ', ':') : message;
    }

    // :: traffic_policy. Burrow runs the unconditional rules of the actions it has at the edge; anything else is refused
    // by name, since a policy that silently did less than written would be a hole.

    private void ReadTrafficPolicy(YamlNode value, OptionsBuilder options)
    {
        if (Map(value, "traffic_policy") is not { } map)
        {
            return;
        }

        foreach ((YamlScalarNode phaseKey, string phase, YamlNode rules) in Entries(map, "traffic_policy"))
        {
            if (phase is not ("on_http_request" or "on_http_response" or "on_tcp_connect"))
            {
                if (phase == "on_event_stream_message")
                {
                    Unsupported(phaseKey, phase, "Burrow's traffic policy has on_http_request, on_http_response and on_tcp_connect");
                }
                else
                {
                    Unknown(phaseKey, phase, "traffic_policy");
                }

                continue;
            }

            if (phase != "on_tcp_connect")
            {
                options.HttpOnly.Add(($"traffic_policy.{phase}", phaseKey));
            }

            if (rules is not YamlSequenceNode list)
            {
                if (!IsNull(rules))
                {
                    Invalid(rules, $"traffic_policy.{phase}", "expected a list of rules, each with actions:");
                }

                continue;
            }

            foreach (YamlNode rule in list.Children)
            {
                if (Map(rule, $"traffic_policy.{phase}[]") is { } ruleMap)
                {
                    ReadRule(phase, ruleMap, options);
                }
            }
        }
    }

    private void ReadRule(string phase, YamlMappingNode rule, OptionsBuilder options)
    {
        string where = $"a rule of traffic_policy.{phase}";
        foreach ((YamlScalarNode key, string name, YamlNode value) in Entries(rule, where))
        {
            switch (name)
            {
                case "name":
                    break;
                case "expressions":
                    if (Strings(value, name) is { Count: > 0 })
                    {
                        Unsupported(key, name, "only rules without expressions (applying to every request) are supported yet");
                    }

                    break;
                case "actions":
                    if (value is YamlSequenceNode actions)
                    {
                        foreach (YamlNode action in actions.Children)
                        {
                            if (Map(action, "actions[]") is { } actionMap)
                            {
                                ReadAction(phase, actionMap, options);
                            }
                        }
                    }
                    else
                    {
                        Invalid(value, name, "expected a list of actions, each with type: and config:");
                    }

                    break;
                default:
                    Unknown(key, name, where);
                    break;
            }
        }
    }

    private void ReadAction(string phase, YamlMappingNode action, OptionsBuilder options)
    {
        string? type = null;
        YamlNode? typeNode = null;
        YamlMappingNode? config = null;
        foreach ((YamlScalarNode key, string name, YamlNode value) in Entries(action, "an action"))
        {
            switch (name)
            {
                case "type":
                    (type, typeNode) = (Text(value, name), value);
                    break;
                case "config":
                    config = Map(value, name);
                    break;
                default:
                    Unknown(key, name, "an action");
                    break;
            }
        }

        if (type is null)
        {
            Missing(action, "type", "an action");
            return;
        }

        bool request = phase == "on_http_request";
        switch (type)
        {
            case "basic-auth" when request:
                ReadActionConfig(config, type, action, "credentials", null, options.BasicAuth, null, CheckBasicAuth, null);
                break;
            case "restrict-ips" when phase is "on_http_request" or "on_tcp_connect":
                ReadActionConfig(config, type, action, "allow", "deny", options.CidrAllow, options.CidrDeny, CheckCidr, CheckCidr);
                break;
            case "add-headers" when phase is "on_http_request" or "on_http_response":
                ReadHeaderMap(config, action, request ? options.RequestHeaderAdd : options.ResponseHeaderAdd);
                break;
            case "remove-headers" when phase is "on_http_request" or "on_http_response":
                ReadActionConfig(config, type, action, "headers", null, request ? options.RequestHeaderRemove : options.ResponseHeaderRemove, null, CheckHeaderRemove, null);
                break;
            default:
                Unsupported(typeNode!, $"{phase} action type {type}", "the actions Burrow runs are basic-auth, restrict-ips, add-headers and remove-headers (restrict-ips alone on on_tcp_connect)");
                break;
        }
    }

    private void ReadActionConfig(YamlMappingNode? config, string type, YamlNode action, string first, string? second, List<string> firstList, List<string>? secondList, Check firstCheck, Check? secondCheck)
    {
        if (config is null)
        {
            Missing(action, "config", $"the {type} action");
            return;
        }

        foreach ((YamlScalarNode key, string name, YamlNode value) in Entries(config, $"the {type} action's config"))
        {
            if (name == first)
            {
                AddChecked(Strings(value, name), name, firstList, firstCheck);
            }
            else if (name == second)
            {
                AddChecked(Strings(value, name), name, secondList!, secondCheck!);
            }
            else
            {
                Unknown(key, name, $"the {type} action's config");
            }
        }
    }

    private void ReadHeaderMap(YamlMappingNode? config, YamlNode action, List<string> into)
    {
        if (config is null)
        {
            Missing(action, "config", "the add-headers action");
            return;
        }

        foreach ((YamlScalarNode key, string name, YamlNode value) in Entries(config, "the add-headers action's config"))
        {
            if (name != "headers")
            {
                Unknown(key, name, "the add-headers action's config");
                continue;
            }

            if (Map(value, "headers") is not { } headers)
            {
                continue;
            }

            foreach ((YamlScalarNode header, string headerName, YamlNode headerValue) in Entries(headers, "headers"))
            {
                if (Text(headerValue, headerName) is { } text)
                {
                    AddChecked([(header, $"{headerName}: {text}")], "headers", into, CheckHeaderAdd);
                }
            }
        }
    }
}

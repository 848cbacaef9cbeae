using Burrow.Edge.Policy;
using Burrow.Edge.Policy.Loading;
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
            case "hsts":
                // true (two years), false, or a max-age: 63072000, 730d, 2y.
                if (Text(value, name) is { } hsts)
                {
                    if (bool.TryParse(hsts, out bool on))
                    {
                        options.HstsMaxAge = on ? StrictTransportSecurity.DefaultMaxAge : null;
                    }
                    else if (Commands.HstsOptions.TryParseMaxAge(hsts, out long seconds))
                    {
                        options.HstsMaxAge = seconds;
                    }
                    else
                    {
                        Invalid(value, name, $"'{hsts}' is not true, false or a max-age (63072000, 730d, 2y; at most ten years)");
                    }
                }

                options.HttpOnly.Add((name, key));
                return true;
            case "hsts_include_subdomains":
                options.HstsIncludeSubdomains = Bool(value, name) ?? false;
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

    // :: traffic_policy. The whole document goes to the edge, which compiles and enforces it (docs/traffic-policy.md);
    // it is compiled here first too, so a mistake is reported at its line in this file before anything connects.

    private void ReadTrafficPolicy(YamlNode value, OptionsBuilder options)
    {
        if (value is YamlScalarNode { Value: null or "" })
        {
            return;
        }

        if (Map(value, "traffic_policy") is not { } map)
        {
            return;
        }

        foreach ((YamlScalarNode phaseKey, string phase, _) in Entries(map, "traffic_policy"))
        {
            if (phase is "on_http_request" or "on_http_response" or "inbound" or "outbound")
            {
                options.HttpOnly.Add(($"traffic_policy.{phase}", phaseKey));
            }
        }

        PolicyLoadResult loaded = PolicyLoader.Load(map, "http", PolicyServices.ForValidation());
        loaded.Policy?.Dispose();
        foreach (PolicyError error in loaded.Errors)
        {
            _problems.Add(ConfigProblem.Of(ErrorCodes.ConfigInvalidValue, new SourceLocation(_path, error.Line, error.Column),
                error.Path.Length > 0 ? $"traffic_policy.{error.Path}" : "traffic_policy", error.Message));
        }

        var document = new YamlStream(new YamlDocument(map));
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        document.Save(text, assignAnchors: false);
        options.TrafficPolicy = text.ToString();
    }
}

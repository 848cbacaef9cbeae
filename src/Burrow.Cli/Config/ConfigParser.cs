using System.Globalization;
using Burrow.Protocol.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Burrow.Cli.Config;

/// <summary>
/// Reads one config file into a <see cref="ConfigFile"/>, checking every key and value against the format and
/// reporting each problem with its <c>file:line:column</c>. The shape is ngrok's: version 3 (<c>agent:</c>,
/// <c>endpoints:</c>) and version 2 (settings at the top, <c>tunnels:</c>), so an ngrok.yml mostly works as is.
/// </summary>
/// <remarks>
/// The YAML representation model is walked by hand rather than deserialized into classes: that is what gives each
/// unknown key and bad value its exact line, and lets ngrok's settings that Burrow lacks get their own message.
/// </remarks>
internal sealed partial class ConfigParser
{
    private static readonly string[] AgentKeysInVersion2 = ["authtoken", "server_addr", "connect_url", "root_cas", "web_addr", "log", "log_level", "log_format", "console_ui"];

    private readonly string _path;
    private readonly List<ConfigProblem> _problems;
    private readonly ConfigFile _file;
    private readonly Dictionary<string, SourceLocation> _names = new(StringComparer.Ordinal);

    public ConfigParser(string path, List<ConfigProblem> problems)
    {
        _path = path;
        _problems = problems;
        _file = new ConfigFile { Path = path };
    }

    public ConfigFile Parse(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            _problems.Add(ConfigProblem.Of(ErrorCodes.ConfigSyntaxError, SyntaxErrorAt(text, ex), YamlMessage(ex)));
            return _file;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet throws these instead of YamlException on a few malformed documents (found by fuzzing); it
            // gives no position then.
            _problems.Add(ConfigProblem.Of(ErrorCodes.ConfigSyntaxError, new SourceLocation(_path, 1, 1), "the YAML parser gave up (" + ex.Message.TrimEnd('.') + ")"));
            return _file;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return _file;
        }

        if (stream.Documents.Count > 1)
        {
            _problems.Add(ConfigProblem.Of(ErrorCodes.ConfigSyntaxError, At(stream.Documents[1].RootNode), "a config file holds one YAML document, this one has a second"));
            return _file;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            Invalid(stream.Documents[0].RootNode, "(top level)", "expected a mapping of settings (key: value lines)");
            return _file;
        }

        _file.Version = ReadVersion(root);
        YamlNode? tunnels = null;
        foreach ((YamlScalarNode key, string name, YamlNode value) in Entries(root, "the top level"))
        {
            switch (name)
            {
                case "version":
                    break;
                case "agent" when _file.Version == 3:
                    ReadAgent(value);
                    break;
                case "endpoints" when _file.Version == 3:
                    ReadEndpoints(value);
                    break;
                case "tunnels":
                    // Read after the endpoints so their names claim first in error messages about duplicates.
                    tunnels = value;
                    break;
                case "agent" or "endpoints":
                    Unknown(key, name, "a version 2 file (agent: and endpoints: need version: 3)");
                    break;
                default:
                    if (_file.Version == 2)
                    {
                        _file.Agent = ReadAgentSetting(key, name, value, _file.Agent, "the top level");
                    }
                    else if (AgentKeysInVersion2.Contains(name))
                    {
                        Unknown(key, name, "the top level (in a version 3 file, agent settings go under agent:)");
                    }
                    else
                    {
                        Unknown(key, name, "the top level");
                    }

                    break;
            }
        }

        if (tunnels is not null)
        {
            ReadTunnels(tunnels);
        }

        return _file;
    }

    private int ReadVersion(YamlMappingNode root)
    {
        foreach (var (key, value) in root.Children)
        {
            if (key is YamlScalarNode { Value: "version" })
            {
                string? version = Text(value, "version");
                if (version is "3" or "2")
                {
                    return version == "3" ? 3 : 2;
                }

                _problems.Add(ConfigProblem.Of(ErrorCodes.ConfigVersionUnsupported, At(value), version ?? "(empty)"));
                return 3;
            }
        }

        // Agent 2.x files had no version; a file without one but with agent: or endpoints: is meant as version 3.
        return root.Children.Keys.Any(k => k is YamlScalarNode { Value: "agent" or "endpoints" }) ? 3 : 2;
    }

    private void ReadAgent(YamlNode node)
    {
        if (Map(node, "agent") is not { } map)
        {
            return;
        }

        foreach ((YamlScalarNode key, string name, YamlNode value) in Entries(map, "agent"))
        {
            _file.Agent = ReadAgentSetting(key, name, value, _file.Agent, "agent");
        }
    }

    private AgentSettings ReadAgentSetting(YamlScalarNode key, string name, YamlNode value, AgentSettings agent, string where)
    {
        switch (name)
        {
            case "authtoken":
                return agent with { Authtoken = Text(value, name) };
            case "connect_url" or "server_addr":
                return agent with { ConnectUrl = EdgeAddress(value, name) };
            case "server_name":
                return agent with { ServerName = Text(value, name) };
            case "edge_ca":
                return agent with { EdgeCa = ExistingFile(value, name) };
            case "connect_cas" or "root_cas":
                // ngrok's trusted and host both mean the system's store, which is Burrow's default.
                return Text(value, name) is "trusted" or "host" ? agent : agent with { EdgeCa = ExistingFile(value, name) };
            case "web_addr":
                return agent with { WebAddr = WebAddress(value, name) };
            case "log":
                return agent with { Log = OneOf(value, name, ["stdout", "stderr", "false", "none"], "use stdout, stderr or false (log files are not supported yet)") };
            case "log_level":
                return agent with { LogLevel = OneOf(value, name, ["trace", "debug", "info", "warn", "error", "crit"], "use debug, info, warn, error or crit") };
            case "log_format":
                return agent with { LogFormat = OneOf(value, name, ["term", "logfmt", "json"], "use term, logfmt or json") };
            case "console_ui":
                return agent with { ConsoleUi = OneOf(value, name, ["true", "false", "iftty"], "use true, false or iftty") };
            case "local_https_port":
                return agent with { LocalHttpsPort = Int(value, name, 0, 65535) };
            case "legs":
                return agent with { Legs = Int(value, name, 1, Burrow.Agent.AgentOptions.MaxLegs) };
            case "inspect_db_size":
                return agent with { InspectDbSize = InspectDbSize(value, name) };
            case "region" or "update_channel" or "update_check" or "remote_management" or "console_ui_color" or "metadata"
                or "api_key" or "heartbeat_interval" or "heartbeat_tolerance" or "connect_timeout" or "dns_resolver_ips":
                _file.Warnings.Add($"{At(key)}: '{name}' is an ngrok setting with no effect in Burrow; ignored.");
                return agent;
            case "proxy_url" or "connect_interface" or "web_allow_hosts" or "crl_noverify" or "update" or "ip_policies":
                Unsupported(key, name, "remove it; Burrow has no such setting yet");
                return agent;
            default:
                Unknown(key, name, where);
                return agent;
        }
    }

    // :: value readers. Each reports its own problem and returns null, so parsing goes on and every problem is listed.

    private SourceLocation At(YamlNode node) => new(_path, node.Start.Line, node.Start.Column);

    private void Unknown(YamlNode key, string name, string where) => _problems.Add(ConfigProblem.Of(ErrorCodes.ConfigUnknownKey, At(key), name, where));

    private void Invalid(YamlNode node, string key, string reason) => _problems.Add(ConfigProblem.Of(ErrorCodes.ConfigInvalidValue, At(node), key, reason));

    private void Unsupported(YamlNode node, string key, string what) => _problems.Add(ConfigProblem.Of(ErrorCodes.ConfigUnsupportedSetting, At(node), key, what));

    private void Missing(YamlNode node, string key, string where) => _problems.Add(ConfigProblem.Of(ErrorCodes.ConfigMissingKey, At(node), key, where));

    /// <summary>The keys of a mapping, each a plain name; a key that is not a scalar is reported and skipped.</summary>
    private IEnumerable<(YamlScalarNode Key, string Name, YamlNode Value)> Entries(YamlMappingNode map, string where)
    {
        foreach (var (key, value) in map.Children)
        {
            if (key is YamlScalarNode { Value: { } name } scalar)
            {
                yield return (scalar, name, value);
            }
            else
            {
                Invalid(key, where, "keys must be plain names");
            }
        }
    }

    private YamlMappingNode? Map(YamlNode node, string key)
    {
        if (node is YamlMappingNode map)
        {
            return map;
        }

        if (!IsNull(node))
        {
            Invalid(node, key, "expected a mapping (indented key: value lines)");
        }

        return null;
    }

    private string? Text(YamlNode node, string key)
    {
        if (node is YamlScalarNode scalar)
        {
            return IsNull(scalar) ? null : scalar.Value;
        }

        Invalid(node, key, node is YamlSequenceNode ? "expected a single value, not a list" : "expected a single value, not a mapping");
        return null;
    }

    private bool? Bool(YamlNode node, string key)
    {
        string? text = Text(node, key);
        if (text is null)
        {
            return null;
        }

        if (bool.TryParse(text, out bool value))
        {
            return value;
        }

        Invalid(node, key, $"'{text}' is not true or false");
        return null;
    }

    private int? Int(YamlNode node, string key, int min, int max)
    {
        string? text = Text(node, key);
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
        {
            return value;
        }

        Invalid(node, key, string.Create(CultureInfo.InvariantCulture, $"'{text}' is not a whole number from {min} to {max}"));
        return null;
    }

    /// <summary>Bytes (<c>52428800</c> or <c>50MB</c>), 0 for the default or -1 for no inspection, as ngrok reads it.</summary>
    private long? InspectDbSize(YamlNode node, string key)
    {
        string? text = Text(node, key);
        if (text is null)
        {
            return null;
        }

        if (text.Trim() == "-1")
        {
            return -1;
        }

        if (Commands.WebOptions.TryParseSize(text, out long bytes) && (bytes == 0 || bytes >= Commands.WebOptions.MinimumBudget))
        {
            return bytes;
        }

        Invalid(node, key, $"'{text}' is not a size of at least 1MB (e.g. 52428800 or 50MB), 0 for the default or -1 to turn inspection off");
        return null;
    }

    private string? OneOf(YamlNode node, string key, string[] allowed, string hint)
    {
        string? text = Text(node, key);
        if (text is null || allowed.Contains(text))
        {
            return text;
        }

        Invalid(node, key, $"'{text}' is not allowed; {hint}");
        return null;
    }

    /// <summary>A list of single values; a lone value stands for a list of one.</summary>
    private List<(YamlNode Node, string Value)>? Strings(YamlNode node, string key)
    {
        switch (node)
        {
            case YamlSequenceNode sequence:
                var items = new List<(YamlNode, string)>();
                foreach (YamlNode item in sequence.Children)
                {
                    if (Text(item, key) is { } text)
                    {
                        items.Add((item, text));
                    }
                }

                return items;
            case YamlScalarNode scalar when IsNull(scalar):
                return [];
            case YamlScalarNode scalar:
                return [(scalar, scalar.Value!)];
            default:
                Invalid(node, key, "expected a list of values");
                return null;
        }
    }

    private string? EdgeAddress(YamlNode node, string key)
    {
        string? text = Text(node, key);
        if (text is null)
        {
            return null;
        }

        string address = text.StartsWith("tls://", StringComparison.OrdinalIgnoreCase) ? text[6..] : text;
        if (EndpointParts.HasHostAndPort(address))
        {
            return address;
        }

        Invalid(node, key, $"'{text}' is not host:port, e.g. tunnel.example.com:4443");
        return null;
    }

    private string? WebAddress(YamlNode node, string key)
    {
        string? text = Text(node, key);
        if (text is null or "false" || EndpointParts.HasHostAndPort(text))
        {
            return text;
        }

        Invalid(node, key, $"'{text}' is not host:port (e.g. 127.0.0.1:4040) or false");
        return null;
    }

    private string? ExistingFile(YamlNode node, string key)
    {
        string? text = Text(node, key);
        if (text is null)
        {
            return null;
        }

        // Relative to the config file, so a config and its CA can move together.
        string full = Path.GetFullPath(text, Path.GetDirectoryName(_path) ?? Directory.GetCurrentDirectory());
        if (File.Exists(full))
        {
            return full;
        }

        Invalid(node, key, $"the file {full} does not exist");
        return null;
    }

    /// <summary>Where a YAML error is; for a tab in the indentation YamlDotNet says 1:1, so the first such line is found here.</summary>
    private SourceLocation SyntaxErrorAt(string text, YamlException ex)
    {
        if (ex.Message.Contains(" tab", StringComparison.Ordinal))
        {
            string[] lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                int tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
                if (tab >= 0 && lines[i][..tab].Trim().Length == 0)
                {
                    return new SourceLocation(_path, i + 1, tab + 1);
                }
            }
        }

        return new SourceLocation(_path, ex.Start.Line, ex.Start.Column);
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string YamlMessage(YamlException ex)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line...): "; the location is given separately.
        string message = ex.Message;
        int cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        return (cut >= 0 && message.StartsWith('(') ? message[(cut + 3)..] : message).TrimEnd('.');
    }
}

using System.Text;
using System.Text.RegularExpressions;
using Burrow.Protocol.Errors;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Burrow.Cli.Config;

/// <summary>
/// Sets one agent setting in a config file (<c>burrow config add-authtoken</c>, <c>add-server</c>) by editing the
/// text in place, so the user's comments, order and other settings survive. Creates the file (0600, folder 0700)
/// when it does not exist; the file holds a secret, so a rewrite also tightens its mode to owner-only.
/// </summary>
internal static partial class ConfigFileWriter
{
    /// <summary>Sets <paramref name="key"/> (its version 3 name; <paramref name="version2Key"/> in a version 2 file) to <paramref name="value"/>.</summary>
    public static ConfigProblem? SetAgentValue(string path, string key, string version2Key, string value)
    {
        var problems = new List<ConfigProblem>();
        string? text = ConfigLoader.Read(path, mustExist: false, problems);
        if (problems.Count > 0)
        {
            return problems[0];
        }

        string updated;
        if (string.IsNullOrWhiteSpace(text))
        {
            updated = $"version: 3\nagent:\n  {key}: {Scalar(value)}\n";
        }
        else
        {
            YamlMappingNode? root;
            try
            {
                var stream = new YamlStream();
                stream.Load(new StringReader(text));
                root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode as YamlMappingNode;
            }
            catch (YamlException ex)
            {
                return ConfigProblem.Of(ErrorCodes.ConfigSyntaxError, new SourceLocation(path, ex.Start.Line, ex.Start.Column), ex.Message.TrimEnd('.'));
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                // YamlDotNet's other exceptions on a few malformed documents (found by fuzzing); no position given.
                return ConfigProblem.Of(ErrorCodes.ConfigSyntaxError, new SourceLocation(path, 1, 1), "the YAML parser gave up (" + ex.Message.TrimEnd('.') + ")");
            }

            if (root is null)
            {
                return ConfigProblem.Of(ErrorCodes.ConfigInvalidValue, new SourceLocation(path, 1, 1), "(top level)", "expected a mapping of settings");
            }

            int version = new ConfigParser(path, []).Parse(text).Version;
            updated = version == 2 ? SetIn(text, root, [version2Key, key], version2Key, value, "") : SetInAgent(text, root, key, version2Key, value);
        }

        return Write(path, updated);
    }

    /// <summary>Writes <paramref name="text"/> through a temporary file created owner-only, so the file is never seen half-written or world-readable.</summary>
    public static ConfigProblem? Write(string path, string text)
    {
        try
        {
            string directory = Path.GetDirectoryName(path)!;
            if (!Directory.Exists(directory))
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(directory);
                }
                else
                {
                    Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(text));
            }

            File.Move(temp, path, overwrite: true);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ConfigProblem.Of(ErrorCodes.ConfigFileNotWritable, path, ex.Message.TrimEnd('.'));
        }
    }

    /// <summary>A YAML scalar for <paramref name="value"/>: plain when that reads back as the same string, else double-quoted.</summary>
    public static string Scalar(string value) =>
        PlainSafe().IsMatch(value) && value is not ("true" or "false" or "null" or "yes" or "no" or "on" or "off" or "~")
            ? value
            : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string SetInAgent(string text, YamlMappingNode root, string key, string version2Key, string value)
    {
        foreach (var (k, v) in root.Children)
        {
            if (k is YamlScalarNode { Value: "agent" } agentKey)
            {
                if (v is YamlMappingNode { Style: not MappingStyle.Flow } agent && agent.Children.Count > 0)
                {
                    string indent = new(' ', (int)agent.Children.Keys.First().Start.Column - 1);
                    return SetIn(text, agent, [key, version2Key], key, value, indent);
                }

                if (v is YamlScalarNode { Value: null or "" or "~" })
                {
                    // "agent:" with nothing under it: the setting goes on the next line.
                    int lineEnd = LineEnd(text, (int)agentKey.End.Index);
                    return text[..lineEnd] + $"\n  {key}: {Scalar(value)}" + text[lineEnd..];
                }

                // A flow mapping ({authtoken: x}) has no line to edit: write the agent section anew, in block style.
                var replacement = new StringBuilder("agent:\n");
                bool replaced = false;
                foreach (var (ak, av) in ((YamlMappingNode)v).Children)
                {
                    bool same = ak is YamlScalarNode { Value: { } n } && (n == key || n == version2Key);
                    replacement.Append("  ").Append(((YamlScalarNode)ak).Value).Append(": ").Append(same ? Scalar(value) : av is YamlScalarNode { Value: { } scalar } ? Scalar(scalar) : av.ToString()).Append('\n');
                    replaced |= same;
                }

                if (!replaced)
                {
                    replacement.Append("  ").Append(key).Append(": ").Append(Scalar(value)).Append('\n');
                }

                return text[..(int)agentKey.Start.Index] + replacement.ToString().TrimEnd('\n') + text[FlowEnd(text, (int)v.Start.Index)..];
            }
        }

        return AppendLine(text, $"agent:\n  {key}: {Scalar(value)}");
    }

    /// <summary>Replaces the value of the first of <paramref name="names"/> in <paramref name="map"/>, or adds <paramref name="key"/> after the map's first line.</summary>
    private static string SetIn(string text, YamlMappingNode map, string[] names, string key, string value, string indent)
    {
        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode { Value: { } name } && names.Contains(name) && v is YamlScalarNode)
            {
                int start = (int)v.Start.Index, end = (int)v.End.Index;
                string separator = start == end && start > 0 && text[start - 1] == ':' ? " " : "";
                return text[..start] + separator + Scalar(value) + text[end..];
            }
        }

        if (indent.Length == 0)
        {
            return AppendLine(text, $"{key}: {Scalar(value)}");
        }

        // Insert as the section's first entry, at the indentation of its other entries.
        int firstKey = (int)map.Children.Keys.First().Start.Index;
        int lineStart = text.LastIndexOf('\n', Math.Max(0, firstKey - 1)) + 1;
        return text[..lineStart] + $"{indent}{key}: {Scalar(value)}\n" + text[lineStart..];
    }

    /// <summary>The index just past the brace that closes the flow mapping opening at <paramref name="open"/>.</summary>
    /// <remarks>YamlDotNet's end mark of a flow mapping is not reliable, so the braces are counted, skipping quoted text.</remarks>
    private static int FlowEnd(string text, int open)
    {
        int depth = 0;
        char quote = '\0';
        for (int i = open; i < text.Length; i++)
        {
            char c = text[i];
            if (quote != '\0')
            {
                quote = c == quote && (quote == '\'' || text[i - 1] != '\\') ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && --depth == 0)
            {
                return i + 1;
            }
        }

        return text.Length;
    }

    private static int LineEnd(string text, int from)
    {
        int newline = text.IndexOf('\n', from);
        return newline < 0 ? text.Length : newline;
    }

    private static string AppendLine(string text, string line) => text + (text.EndsWith('\n') ? "" : "\n") + line + "\n";

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.:/\-+=]*$")]
    private static partial Regex PlainSafe();
}

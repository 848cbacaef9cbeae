using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Burrow.Edge.Policy.Loading;

/// <summary>
/// Turns an action's <c>config</c> node into JSON nodes, so every action reads its config one way whether the
/// document was YAML or JSON, and remembers where each value stood so an action's complaint points at its line.
/// Plain YAML scalars become numbers, booleans and null as YAML 1.2's core schema reads them; quoted ones stay strings.
/// </summary>
internal static class YamlToJson
{
    private static readonly System.Buffers.SearchValues<char> NumberChars = System.Buffers.SearchValues.Create("0123456789+-.eE");

    public static JsonNode? Convert(YamlNode node, string path, Dictionary<string, Mark> marks)
    {
        marks[path] = node.Start;
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach ((YamlNode key, YamlNode value) in map.Children)
                {
                    string name = key is YamlScalarNode { Value: { } text } ? text : key.ToString();
                    string child = path.Length == 0 ? name : $"{path}.{name}";
                    marks[child] = key.Start;
                    JsonNode? converted = Convert(value, child, marks);
                    // A repeated key: the later wins, as in most YAML readers; the loader has already refused it.
                    obj[name] = converted;
                }

                return obj;
            case YamlSequenceNode list:
                var array = new JsonArray();
                int i = 0;
                foreach (YamlNode item in list.Children)
                {
                    array.Add(Convert(item, $"{path}[{i++}]", marks));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                return null;
        }
    }

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        string? text = scalar.Value;
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(text ?? "");
        }

        switch (text)
        {
            case null or "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
        {
            return JsonValue.Create(integer);
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number)
            && text.AsSpan().IndexOfAnyExcept(NumberChars) < 0)
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }
}

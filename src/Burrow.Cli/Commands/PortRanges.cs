using System.CommandLine.Parsing;
using System.Globalization;

namespace Burrow.Cli.Commands;

/// <summary>Parses port ranges: <c>20000-20999</c>, or a single port <c>20000</c>.</summary>
internal static class PortRanges
{
    public static (int Min, int Max) Parse(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : "";
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        string first = dash < 0 ? text : text[..dash], last = dash < 0 ? text : text[(dash + 1)..];
        if (int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out int min)
            && int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out int max)
            && min is >= 1 and <= 65535 && max is >= 1 and <= 65535 && min <= max)
        {
            return (min, max);
        }

        result.AddError($"'{text}' is not a port range; use for example 20000-20999 (ports 1 to 65535, the first no greater than the last).");
        return default;
    }
}

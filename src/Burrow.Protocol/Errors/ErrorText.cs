using System.Text;

namespace Burrow.Protocol.Errors;

/// <summary>Helpers for putting values that came from a user or a peer into error messages.</summary>
internal static class ErrorText
{
    // Long enough for any real hostname label or CIDR, short enough to keep errors one line.
    private const int MaxEchoLength = 64;

    /// <summary>
    /// Quotes <paramref name="value"/> for an error message: at most 64 characters, control
    /// characters shown as '?', so a hostile value cannot forge log lines.
    /// </summary>
    public static string Quote(string? value) => value is null ? "(null)" : $"\"{Clean(value)}\"";

    /// <summary>Like <see cref="Quote"/> without the quotes, for templates that quote <c>'{0}'</c> themselves.</summary>
    public static string Clean(string value)
    {
        int shown = Math.Min(value.Length, MaxEchoLength);
        var text = new StringBuilder(shown + 3);
        foreach (char c in value.AsSpan(0, shown))
        {
            text.Append(char.IsControl(c) ? '?' : c);
        }

        return value.Length > shown ? text.Append("...").ToString() : text.ToString();
    }

    /// <summary>The option name with an index, for example <c>basic_auth[2]</c>.</summary>
    public static string Element(string option, int index) => $"{option}[{index}]";
}

using System.Globalization;

namespace Burrow.Cli.Config;

/// <summary>A place in a config file, shown as <c>file:line:column</c> (1-based) so editors can jump to it.</summary>
internal readonly record struct SourceLocation(string File, long Line, long Column)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{Column}");
}

namespace Burrow.Edge.Policy.Loading;

/// <summary>One thing wrong with a policy document: where (line and column, from 1; the key path) and what.</summary>
internal sealed record PolicyError(int Line, int Column, string Path, string Message)
{
    /// <summary>For messages: <c>line 4, column 9 (on_http_request[0].actions[0].config.status_code)</c>.</summary>
    public string Where => Line > 0
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"line {Line}, column {Column} ({(Path.Length > 0 ? Path : "document")})")
        : Path.Length > 0 ? Path : "the document";

    public override string ToString() => $"{Where}: {Message}";
}

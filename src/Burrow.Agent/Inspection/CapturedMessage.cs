namespace Burrow.Agent.Inspection;

/// <summary>One side of a captured exchange, parsed: the start line's parts, the headers in order, and the body's kept prefix.</summary>
/// <param name="Proto">HTTP/1.1, HTTP/2...</param>
/// <param name="Headers">The headers as sent, in order (a name may repeat).</param>
/// <param name="Body">The body's first bytes and its full length.</param>
internal sealed record CapturedMessage(string Proto, IReadOnlyList<KeyValuePair<string, string>> Headers, BodyCapture Body)
{
    /// <summary>The trailer fields after a chunked body, when it had some.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Trailers { get; init; } = [];

    /// <summary>The head as the bytes went by (start line, fields, empty line); empty when it was not captured raw.</summary>
    public ReadOnlyMemory<byte> RawHead { get; init; }

    /// <summary>The first value of a header, by case-insensitive name.</summary>
    public string? Header(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}

namespace Burrow.Agent.Http1;

/// <summary>The start line and header fields of one HTTP/1.x message, as a parser saw them.</summary>
/// <param name="Version">The protocol as written, e.g. <c>HTTP/1.1</c>.</param>
/// <param name="Method">The request method; empty for a response.</param>
/// <param name="Target">The request target as written (path and query); empty for a response.</param>
/// <param name="StatusCode">The response status; 0 for a request.</param>
/// <param name="ReasonPhrase">The response's reason phrase; empty for a request.</param>
/// <param name="Headers">The fields in order, a name possibly repeated; values cut at the parser's line limit.</param>
internal sealed record Http1Head(
    string Version, string Method, string Target, int StatusCode, string ReasonPhrase, List<KeyValuePair<string, string>> Headers)
{
    public bool IsInterim => StatusCode is >= 100 and < 200;

    /// <summary>The first value of a field, by case-insensitive name.</summary>
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

    /// <summary>Whether a comma-separated field (all its lines) lists <paramref name="token"/>.</summary>
    public bool HasToken(string name, string token)
    {
        foreach (var (key, value) in Headers)
        {
            if (!string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (Range range in value.AsSpan().Split(','))
            {
                if (value.AsSpan(range).Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

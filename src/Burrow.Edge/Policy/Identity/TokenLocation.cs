using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Policy.Identity;

/// <summary>One place a jwt-validation action looks for the token (ngrok's <c>http.tokens[]</c>): a header, a query parameter or a cookie, with an optional prefix such as <c>"Bearer "</c>.</summary>
internal sealed record TokenLocation(TokenMethod Method, string Name, string Prefix)
{
    /// <summary>ngrok's default: <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public static TokenLocation BearerHeader { get; } = new(TokenMethod.Header, "Authorization", "Bearer ");

    public string Describe() => Method switch
    {
        TokenMethod.Header => $"header {Name}" + (Prefix.Length > 0 ? $" with prefix '{Prefix.TrimEnd()}'" : ""),
        TokenMethod.Query => $"query parameter {Name}",
        _ => $"cookie {Name}",
    };

    public string? Find(HttpRequest request)
    {
        string? raw = Method switch
        {
            TokenMethod.Header => request.Headers.TryGetValue(Name, out var values) ? values.ToString() : null,
            TokenMethod.Query => request.Query.TryGetValue(Name, out var values) ? values.ToString() : null,
            _ => request.Cookies[Name],
        };
        if (string.IsNullOrEmpty(raw))
        {
            return null;
        }

        // The scheme of an Authorization header is case-insensitive (RFC 9110 11.1), so "bearer x" counts.
        if (Prefix.Length > 0)
        {
            if (!raw.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            raw = raw[Prefix.Length..];
        }

        raw = raw.Trim();
        return raw.Length == 0 ? null : raw;
    }
}

/// <summary>Where a token travels.</summary>
internal enum TokenMethod
{
    Header,
    Query,
    Cookie,
}

using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Policy.Webhooks;

internal static class HeaderValues
{
    /// <summary>
    /// The header's value, or null when absent or empty. A header sent on several lines is joined with
    /// commas (allocating, but only then), which is how HTTP defines repeated list headers.
    /// </summary>
    public static string? Get(IHeaderDictionary headers, string name)
    {
        var values = headers[name];
        var value = values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => values.ToString(),
        };
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }
}

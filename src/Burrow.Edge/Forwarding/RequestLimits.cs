using System.Globalization;
using Burrow.Protocol.Errors;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Forwarding;

/// <summary>The edge's own request header limits, checked before routing so that a refusal carries a code.</summary>
internal static class RequestLimits
{
    /// <summary>The message for a request over the header limits, or <see langword="null"/> when it is within them.</summary>
    public static string? CheckHeaders(HttpRequest request, EdgeOptions options)
    {
        IHeaderDictionary headers = request.Headers;
        if (headers.Count > options.MaxRequestHeaderCount)
        {
            return ErrorCodes.RequestHeadersTooLarge.FormatMessage(
                string.Create(CultureInfo.InvariantCulture, $"{headers.Count} headers"),
                string.Create(CultureInfo.InvariantCulture, $"{options.MaxRequestHeaderCount} headers"));
        }

        // Counted as on the wire in HTTP/1.1 ("Name: value\r\n"), which is what the limit is documented as.
        long bytes = 0;
        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> header in headers)
        {
            foreach (string? value in header.Value)
            {
                bytes += header.Key.Length + 4 + (value?.Length ?? 0);
            }
        }

        return bytes > options.MaxRequestHeaderBytes
            ? ErrorCodes.RequestHeadersTooLarge.FormatMessage(
                string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
                string.Create(CultureInfo.InvariantCulture, $"{options.MaxRequestHeaderBytes} bytes"))
            : null;
    }
}

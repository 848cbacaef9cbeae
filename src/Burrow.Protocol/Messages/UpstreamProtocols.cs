namespace Burrow.Protocol.Messages;

/// <summary>The values of <see cref="EndpointOptions.UpstreamProtocol"/>: how HTTP travels over proxy streams.</summary>
public static class UpstreamProtocols
{
    /// <summary>HTTP/1.1 on each proxy stream (the default).</summary>
    public const string Http1 = "http1";

    /// <summary>HTTP/2 with prior knowledge (h2c) on each proxy stream.</summary>
    public const string Http2 = "http2";

    /// <summary>Whether <paramref name="value"/> is a known upstream protocol.</summary>
    /// <param name="value">The raw option value.</param>
    /// <returns><see langword="true"/> for <c>http1</c> and <c>http2</c>.</returns>
    public static bool IsKnown(string? value) => value is Http1 or Http2;
}

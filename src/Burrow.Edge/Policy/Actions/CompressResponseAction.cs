using System.IO.Compression;
using Burrow.Edge.Policy.Loading;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Burrow.Edge.Policy.Actions;

/// <summary>
/// <c>compress-response</c>: compresses the agent's response body with the first of <c>algorithms</c> (gzip, br,
/// deflate, zstd; all four by default) that the client accepts. Left alone: a response already encoded, one with no
/// body (HEAD, 1xx, 204, 304), an upgrade, a range answer, or a type that is compressed already (images, video, audio,
/// archives). In <c>on_http_request</c> it asks for compression of the response to come; in <c>on_http_response</c> it
/// applies at once. Fastest levels: the edge's CPU is shared by every tunnel.
/// </summary>
internal sealed class CompressResponseAction : PolicyAction
{
    private static readonly string[] Known = ["gzip", "br", "deflate", "zstd"];
    private readonly string[] _algorithms;

    private CompressResponseAction(string[] algorithms)
    {
        _algorithms = algorithms;
    }

    public override string Type => "compress-response";

    public static PolicyAction? Create(ActionConfig config)
    {
        config.Known("algorithms");
        IReadOnlyList<string> algorithms = config.Strings("algorithms") ?? Known;
        for (int i = 0; i < algorithms.Count; i++)
        {
            if (Array.IndexOf(Known, algorithms[i]) < 0)
            {
                config.Error($"algorithms[{i}]", $"'{algorithms[i]}' is not served; the edge compresses with {string.Join(", ", Known)}");
            }
        }

        return algorithms.Count == 0 ? null : new CompressResponseAction([.. algorithms]);
    }

    public override ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        if (context.Phase == PolicyPhaseKind.HttpResponse)
        {
            context.CompressedBody = Apply(context.Http!);
        }
        else
        {
            context.Compression = this;
        }

        return new ValueTask<ActionResult>(ActionResult.Continue);
    }

    /// <summary>Wraps the response body in a compressor when the client and the response allow it; the caller completes it when the response ends.</summary>
    public CompressingResponseBody? Apply(HttpContext http)
    {
        HttpResponse response = http.Response;
        if (response.HasStarted || HttpMethods.IsHead(http.Request.Method) || response.StatusCode is < 200 or 204 or 206 or 304
            || response.Headers.ContainsKey(HeaderNames.ContentEncoding) || response.Headers.ContainsKey(HeaderNames.ContentRange)
            || IsCompressedType(response.ContentType) || Choose(http.Request.Headers.AcceptEncoding) is not { } algorithm)
        {
            return null;
        }

        IHttpResponseBodyFeature inner = http.Features.Get<IHttpResponseBodyFeature>()!;
        response.Headers.Remove(HeaderNames.ContentLength);
        response.Headers.ContentEncoding = algorithm;
        response.Headers.Append(HeaderNames.Vary, HeaderNames.AcceptEncoding);
        var body = new CompressingResponseBody(inner, algorithm);
        http.Features.Set<IHttpResponseBodyFeature>(body);
        return body;
    }

    private string? Choose(Microsoft.Extensions.Primitives.StringValues acceptEncoding)
    {
        if (!StringWithQualityHeaderValue.TryParseList(acceptEncoding, out IList<StringWithQualityHeaderValue>? accepted))
        {
            return null;
        }

        foreach (string algorithm in _algorithms)
        {
            foreach (StringWithQualityHeaderValue value in accepted)
            {
                if ((value.Value.Equals(algorithm, StringComparison.OrdinalIgnoreCase) || value.Value.Equals("*", StringComparison.Ordinal))
                    && (value.Quality ?? 1) > 0)
                {
                    return algorithm;
                }
            }
        }

        return null;
    }

    private static bool IsCompressedType(string? contentType) =>
        contentType is not null
        && (contentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) && !contentType.StartsWith("image/svg", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("video/", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/zip", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/gzip", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/x-gzip", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/zstd", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase));

    internal static Stream CreateCompressor(string algorithm, Stream destination) => algorithm switch
    {
        "gzip" => new GZipStream(destination, CompressionLevel.Fastest, leaveOpen: true),
        "br" => new BrotliStream(destination, CompressionLevel.Fastest, leaveOpen: true),
        "deflate" => new ZLibStream(destination, CompressionLevel.Fastest, leaveOpen: true),
        _ => new ZstdSharp.CompressionStream(destination, level: 1, leaveOpen: true),
    };
}

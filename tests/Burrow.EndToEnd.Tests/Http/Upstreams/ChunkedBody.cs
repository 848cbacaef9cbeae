using System.Net;

namespace Burrow.EndToEnd.Tests.Http.Upstreams;

/// <summary>A request body of unknown length, written in two parts: HTTP/1.1 sends it chunked, HTTP/2 as DATA frames without a Content-Length.</summary>
public sealed class ChunkedBody(byte[] bytes) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        int half = bytes.Length / 2;
        await stream.WriteAsync(bytes.AsMemory(0, half));
        await stream.FlushAsync();
        await stream.WriteAsync(bytes.AsMemory(half));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Burrow.Edge.Traffic;

/// <summary>
/// The response body as the forwarder writes it, counted: the server's own body feature with its stream wrapped in a
/// <see cref="CountingStream"/> and everything else passed through. Not <c>Response.Body = ...</c>, which would put a
/// stream-backed pipe writer in front of Kestrel's for every request; the forwarder writes through the stream.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The counting stream wraps the server's response stream, which the server disposes; the wrapper holds nothing of its own.")]
internal sealed class CountingResponseBody(IHttpResponseBodyFeature inner) : IHttpResponseBodyFeature
{
    private readonly CountingStream _stream = new(inner.Stream);

    public long Count => _stream.Count;

    public Stream Stream => _stream;

    public PipeWriter Writer => inner.Writer;

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        inner.SendFileAsync(path, offset, count, cancellationToken);

    public Task CompleteAsync() => inner.CompleteAsync();
}

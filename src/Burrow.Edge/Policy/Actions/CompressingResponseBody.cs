using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Burrow.Edge.Policy.Actions;

/// <summary>
/// The response body through a compressor: writes go into it, and completing the response ends the compressed stream before the inner body completes.
/// </summary>
internal sealed class CompressingResponseBody : IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature _inner;
    private readonly Stream _compressor;
    private PipeWriter? _writer;
    private bool _completed;

    public CompressingResponseBody(IHttpResponseBodyFeature inner, string algorithm)
    {
        _inner = inner;
        // Each compressor's flush pushes what it holds (a sync flush), so event streams keep flowing.
        _compressor = CompressResponseAction.CreateCompressor(algorithm, inner.Stream);
    }

    public Stream Stream => _compressor;

    public PipeWriter Writer => _writer ??= PipeWriter.Create(_compressor, new StreamPipeWriterOptions(leaveOpen: true));

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        Microsoft.AspNetCore.Http.SendFileFallback.SendFileAsync(_compressor, path, offset, count, cancellationToken);

    public async Task CompleteAsync()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        if (_writer is not null)
        {
            await _writer.CompleteAsync().ConfigureAwait(false);
        }

        await _compressor.DisposeAsync().ConfigureAwait(false);
        await _inner.CompleteAsync().ConfigureAwait(false);
    }
}

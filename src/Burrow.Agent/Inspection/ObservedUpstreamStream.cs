using System.Runtime.CompilerServices;

namespace Burrow.Agent.Inspection;

/// <summary>
/// The upstream connection's stream, with an <see cref="HttpExchangeObserver"/> shown every byte that passes: what is
/// written (requests, before they go) and what is read (responses, before the pump forwards them).
/// </summary>
/// <remarks>
/// Wrapping the stream rather than the pump keeps observation out of the byte pump: any pump that copies
/// between two streams observes by being handed this one. The observer reads the pump's own buffers in place
/// while the pump still owns them. The async overrides use the pooling builder, so steady-state reads and
/// writes allocate nothing.
/// </remarks>
internal sealed class ObservedUpstreamStream : Stream
{
    private readonly Stream _inner;
    private readonly HttpExchangeObserver _observer;

    public ObservedUpstreamStream(Stream inner, HttpExchangeObserver observer)
    {
        _inner = inner;
        _observer = observer;
    }

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => _inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..read], askedFor: buffer.Length);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        int read = _inner.Read(buffer, offset, count);
        Observe(buffer.AsSpan(offset, read), askedFor: count);
        return read;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _observer.OnRequestBytes(buffer.Span);
        return _inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _observer.OnRequestBytes(buffer.AsSpan(offset, count));
        _inner.Write(buffer, offset, count);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        _observer.Complete();
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _observer.Complete();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Observe(ReadOnlySpan<byte> data, int askedFor)
    {
        if (!data.IsEmpty)
        {
            _observer.OnResponseBytes(data);
        }
        else if (askedFor > 0)
        {
            // Zero bytes for a non-empty buffer is the end of the upstream's side; a zero-byte read is only a wait for data.
            _observer.OnUpstreamEnded();
        }
    }
}

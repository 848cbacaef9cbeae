namespace Burrow.Agent.Inspection;

/// <summary>A response body as the forwarder writes it, with a capped copy kept on the side; flushes pass through so streaming stays live.</summary>
internal sealed class CaptureWriteStream : Stream
{
    private readonly Stream _inner;
    private readonly BodyCapture _capture;

    public CaptureWriteStream(Stream inner, BodyCapture capture)
    {
        _inner = inner;
        _capture = capture;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _capture.Append(buffer.Span);
        return _inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _capture.Append(buffer.AsSpan(offset, count));
        _inner.Write(buffer, offset, count);
    }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

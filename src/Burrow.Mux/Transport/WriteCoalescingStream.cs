using System.Buffers;

namespace Burrow.Mux.Transport;

/// <summary>
/// Sits between <see cref="System.Net.Security.SslStream"/> and the socket and turns the TLS records
/// of one flush into one send. SslStream writes every record or two with its own call, so a
/// 128 KiB flush of the mux became four to eight system calls, each of which on loopback also
/// wakes the receiver; gathered, it is one send and one wake-up.
/// </summary>
/// <remarks>
/// Writes pass straight through until <see cref="Coalescing"/> is turned on, because the TLS
/// handshake writes without flushing. Once on, bytes wait for <see cref="FlushAsync"/>: the
/// mux's pipe writer flushes after every batch, so nothing waits longer than the batch it belongs
/// to. The buffer is rented per batch and returned at the flush, so an idle connection holds none.
/// Reads pass straight through. One writer at a time (the mux has a single writer loop).
/// </remarks>
public sealed class WriteCoalescingStream : Stream
{
    /// <summary>The most bytes gathered before they are sent without waiting for the flush.</summary>
    public const int DefaultCapacity = 256 * 1024;

    private readonly Stream _inner;
    private readonly int _capacity;
    private byte[]? _buffer;
    private int _count;

    /// <summary>Wraps <paramref name="inner"/>, which this stream then owns.</summary>
    public WriteCoalescingStream(Stream inner, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 16 * 1024);
        _inner = inner;
        _capacity = capacity;
    }

    /// <summary>Whether writes wait for the next flush; off (pass-through) until the TLS handshake is done.</summary>
    public bool Coalescing { get; set; }

    /// <summary>Bytes written but not yet sent (for tests).</summary>
    internal int Buffered => _count;

    /// <inheritdoc />
    public override bool CanRead => _inner.CanRead;

    /// <inheritdoc />
    public override bool CanWrite => _inner.CanWrite;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => _inner.ReadAsync(buffer, cancellationToken);

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => _inner.ReadAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Coalescing)
        {
            return _count == 0 ? _inner.WriteAsync(buffer, cancellationToken) : SendThenWriteAsync(buffer, cancellationToken);
        }

        if (_count + buffer.Length <= _capacity)
        {
            _buffer ??= ArrayPool<byte>.Shared.Rent(_capacity);
            buffer.Span.CopyTo(_buffer.AsSpan(_count));
            _count += buffer.Length;
            return ValueTask.CompletedTask;
        }

        return SendThenWriteAsync(buffer, cancellationToken);
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count)
    {
        // A synchronous caller gets synchronous sends: nothing here blocks on a task.
        SendBuffered();
        _inner.Write(buffer, offset, count);
    }

    /// <inheritdoc />
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendBufferedAsync(cancellationToken).ConfigureAwait(false);
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override void Flush()
    {
        SendBuffered();
        _inner.Flush();
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        try
        {
            // A close_notify written on the way out goes before the socket closes.
            await SendBufferedAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The connection is already gone; there is nobody to send to.
        }
        finally
        {
            ReturnBuffer();
            await _inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReturnBuffer();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask SendThenWriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        await SendBufferedAsync(cancellationToken).ConfigureAwait(false);
        if (Coalescing && buffer.Length < _capacity)
        {
            _buffer ??= ArrayPool<byte>.Shared.Rent(_capacity);
            buffer.Span.CopyTo(_buffer);
            _count = buffer.Length;
            return;
        }

        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    private void SendBuffered()
    {
        if (_count > 0)
        {
            _inner.Write(_buffer!, 0, _count);
            _count = 0;
        }

        ReturnBuffer();
    }

    private ValueTask SendBufferedAsync(CancellationToken cancellationToken)
    {
        if (_count == 0)
        {
            ReturnBuffer();
            return ValueTask.CompletedTask;
        }

        var pending = _inner.WriteAsync(_buffer.AsMemory(0, _count), cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult(); // consumed, so the socket can reuse what backs it
            _count = 0;
            ReturnBuffer();
            return ValueTask.CompletedTask;
        }

        return AwaitSendAsync(pending);
    }

    private async ValueTask AwaitSendAsync(ValueTask pending)
    {
        await pending.ConfigureAwait(false);
        _count = 0;
        ReturnBuffer();
    }

    private void ReturnBuffer()
    {
        if (_buffer is { } buffer && _count == 0)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

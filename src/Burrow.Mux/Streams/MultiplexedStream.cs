namespace Burrow.Mux.Streams;

/// <summary>
/// A stream of a multiplexed session (yamux's <see cref="MuxStream"/>, muxado's stream for ngrok
/// clients): besides reading and writing it can half-close and reset, which is what a tunnel's
/// pump needs to carry TCP's half-close and abort across the session.
/// </summary>
/// <remarks>
/// The <see cref="Stream"/> surface both share lives here: the async <see cref="Memory{T}"/> members are the
/// real ones; the array and synchronous members exist for callers that only speak Stream and go through them.
/// </remarks>
public abstract class MultiplexedStream : Stream
{
    /// <summary>Half-closes: the peer reads end of stream after what was written; reading goes on. Calling it again does nothing.</summary>
    public abstract void CompleteWrites();

    /// <summary>Resets the stream at once (the peer sees a reset, pending data is dropped); safe to call more than once.</summary>
    public abstract void Abort();

    /// <inheritdoc />
    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public abstract override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default);

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
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count)
        => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count)
        => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Does nothing: a completed write is already in the session's output, which its writer flushes.</summary>
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();
}

using System.Text.Json;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;

namespace Burrow.Protocol.Codec;

/// <summary>
/// Writes length-prefixed messages to a stream. Safe to call from several tasks at once: the edge
/// sends notices while it answers binds, and each message goes out whole, never interleaved.
/// </summary>
/// <remarks>
/// <para>
/// Each message is serialized into a pooled buffer and written with one <see cref="Stream.WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>
/// call, then flushed. If that write fails or is cancelled, part of a frame may have gone out, so
/// every later write throws and the session should end.
/// </para>
/// <para>The writer does not own the stream and does not dispose it.</para>
/// </remarks>
public sealed class ControlMessageWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly int _maxMessageSize;

    // The only lock of the writer; it is never held while waiting for anything but the stream.
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    // Reused under _writeLock; the buffer goes back to the pool after every message.
    private readonly PooledBufferWriter _buffer = new();
    private readonly Utf8JsonWriter _json;
    private bool _broken;
    private bool _disposed;

    /// <summary>Creates a writer over <paramref name="stream"/>.</summary>
    /// <param name="stream">The control stream or a proxy stream.</param>
    /// <param name="options">Settings; <see cref="ControlCodecOptions.Default"/> when <see langword="null"/>.</param>
    public ControlMessageWriter(Stream stream, ControlCodecOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= ControlCodecOptions.Default;
        options.Validate();
        _stream = stream;
        _maxMessageSize = options.MaxMessageSize;
        _json = new Utf8JsonWriter(_buffer, ControlMessageSerializer.WriterOptions);
    }

    /// <summary>Serializes <paramref name="message"/>, writes its frame and flushes the stream.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels waiting for other writers, or the write itself (which breaks the writer).</param>
    /// <returns>A task that completes once the frame has been written and flushed.</returns>
    /// <exception cref="ProtocolException"><c>ERR_BURROW_4002</c>: the message is longer than the limit; nothing was written and the writer stays usable.</exception>
    /// <exception cref="InvalidOperationException">An earlier write failed part-way.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public async ValueTask WriteAsync(ControlMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_broken)
            {
                throw new InvalidOperationException("An earlier write failed part-way; the stream is no longer at a message boundary.");
            }

            int length = ControlMessageSerializer.WriteFrame(message, _buffer, _json);
            if (length > _maxMessageSize)
            {
                throw ProtocolException.TooLarge(length, _maxMessageSize);
            }

            try
            {
                await _stream.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _broken = true;
                throw;
            }
        }
        finally
        {
            _buffer.Reset();
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Releases the writer's buffers. Call it only once no write is pending; the stream is left open.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _json.Dispose();
        _buffer.Dispose();
        _writeLock.Dispose();
    }
}

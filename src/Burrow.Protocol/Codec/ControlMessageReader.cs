using System.Buffers;
using System.Buffers.Binary;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;

namespace Burrow.Protocol.Codec;

/// <summary>
/// Reads length-prefixed messages from a stream, one at a time.
/// </summary>
/// <remarks>
/// <para>
/// The reader never reads past the end of a message: it asks the stream for exactly the prefix and
/// then exactly the body. That is what lets it read the <see cref="ProxyHeader"/> at the start of a
/// proxy stream and leave the raw bytes that follow for the forwarder.
/// </para>
/// <para>
/// After a failure that leaves the stream in the middle of a message (a truncated message, an
/// oversized prefix, cancellation, an I/O error) every later read throws: the stream can no longer
/// be parsed and the session should end. A message that was read whole but did not parse
/// (<c>ERR_BURROW_4001</c>, <c>ERR_BURROW_4003</c>) leaves the reader usable.
/// </para>
/// <para>The reader does not own the stream and does not dispose it.</para>
/// </remarks>
public sealed class ControlMessageReader
{
    private readonly Stream _stream;
    private readonly int _maxMessageSize;
    private readonly byte[] _prefix = new byte[ControlMessageSerializer.LengthPrefixSize];
    private int _reading;
    private bool _broken;

    /// <summary>Creates a reader over <paramref name="stream"/>.</summary>
    /// <param name="stream">The control stream or a proxy stream.</param>
    /// <param name="options">Settings; <see cref="ControlCodecOptions.Default"/> when <see langword="null"/>.</param>
    public ControlMessageReader(Stream stream, ControlCodecOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= ControlCodecOptions.Default;
        options.Validate();
        _stream = stream;
        _maxMessageSize = options.MaxMessageSize;
    }

    /// <summary>Reads the next message.</summary>
    /// <param name="cancellationToken">Cancels the read; the reader cannot be used afterwards.</param>
    /// <returns>The message, or <see langword="null"/> when the stream ended cleanly between messages.</returns>
    /// <exception cref="ProtocolException">
    /// The peer broke the protocol: <c>ERR_BURROW_4002</c> for a length over the limit,
    /// <c>ERR_BURROW_4001</c> for a truncated or undecodable message, <c>ERR_BURROW_4003</c> for an
    /// unknown message type.
    /// </exception>
    /// <exception cref="InvalidOperationException">Another read is in progress, or an earlier failure broke the stream.</exception>
    public async ValueTask<ControlMessage?> ReadAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException("Another read is already in progress on this control stream.");
        }

        try
        {
            if (_broken)
            {
                throw new InvalidOperationException("The stream is no longer at a message boundary after an earlier failure.");
            }

            byte[]? body;
            int length;
            try
            {
                (body, length) = await ReadFrameAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _broken = true;
                throw;
            }

            if (body is null)
            {
                return null;
            }

            try
            {
                // The whole body has been consumed, so a parse failure leaves the stream at a boundary.
                return ControlMessageSerializer.Deserialize(body.AsSpan(0, length));
            }
            finally
            {
                // Cleared: the auth message carries the authtoken, and binds carry passwords.
                ArrayPool<byte>.Shared.Return(body, clearArray: true);
            }
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }

    /// <summary>Reads one prefix and body; the body is rented and belongs to the caller.</summary>
    /// <returns>The rented body and its length, or (null, 0) on a clean end of stream.</returns>
    private async ValueTask<(byte[]? Body, int Length)> ReadFrameAsync(CancellationToken cancellationToken)
    {
        int read = await _stream.ReadAtLeastAsync(_prefix, _prefix.Length, throwOnEndOfStream: false, cancellationToken)
            .ConfigureAwait(false);
        if (read == 0)
        {
            return (null, 0);
        }

        if (read < _prefix.Length)
        {
            throw ProtocolException.Malformed($"the stream ended after {read} of the 4 length-prefix bytes");
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(_prefix);
        if (length > (uint)_maxMessageSize)
        {
            throw ProtocolException.TooLarge(length, _maxMessageSize);
        }

        if (length == 0)
        {
            throw ProtocolException.Malformed("the length prefix is 0");
        }

        // Rented only now that the length is known to be within the limit.
        byte[] body = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            read = await _stream.ReadAtLeastAsync(body.AsMemory(0, (int)length), (int)length, throwOnEndOfStream: false, cancellationToken)
                .ConfigureAwait(false);
            if (read < length)
            {
                throw ProtocolException.Malformed($"the stream ended after {read} of {length} message bytes");
            }

            return (body, (int)length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(body, clearArray: true);
            throw;
        }
    }
}

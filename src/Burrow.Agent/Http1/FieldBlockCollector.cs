using System.Buffers;

namespace Burrow.Agent.Http1;

/// <summary>
/// Finds the end of a block of lines ended by an empty line (a message head, or a chunked body's
/// trailer section) in bytes that arrive in pieces.
/// </summary>
/// <remarks>
/// A block that arrives whole in one read is handed back as a slice of that read, with no copy.
/// Only a block split across reads is copied, into a buffer rented for it and returned as soon as
/// the block has been parsed (idle connections hold none). Lines longer than the line limit are
/// kept cut, and a block past the head limit is refused, so one connection's state stays bounded.
/// </remarks>
internal sealed class FieldBlockCollector
{
    private readonly Http1Limits _limits;
    private byte[]? _buffer;
    private int _length;
    // The current (unfinished) line in the buffer: where it starts there and how long it really is (kept or not).
    private int _lineStart;
    private long _lineLength;

    public FieldBlockCollector(Http1Limits limits)
    {
        _limits = limits;
    }

    /// <summary>Whether part of a block is held from an earlier read.</summary>
    public bool HasPartial => _length > 0 || _lineLength > 0;

    /// <summary>
    /// Consumes from <paramref name="data"/> up to the end of the block. True with the whole block (valid until
    /// <see cref="Release"/>) when its empty line was seen; false when all of <paramref name="data"/> was taken and more is needed.
    /// </summary>
    /// <param name="data">The bytes of this read; on return, what follows the block.</param>
    /// <param name="skipLeadingEmptyLines">For a head: empty lines before the start line are ignored (RFC 9112 §2.2).</param>
    /// <param name="block">The block, its empty line included.</param>
    /// <param name="error">Set when the block grows past the head limit.</param>
    public bool TryCollect(ref ReadOnlySpan<byte> data, bool skipLeadingEmptyLines, out ReadOnlySpan<byte> block, out string? error)
    {
        error = null;
        block = default;
        if (!HasPartial && TryFindInPlace(ref data, skipLeadingEmptyLines, out block, out error))
        {
            return true;
        }

        if (error is not null)
        {
            return false;
        }

        // Bounded: each pass consumes at least one byte of data.
        while (!data.IsEmpty)
        {
            int newline = data.IndexOf((byte)'\n');
            ReadOnlySpan<byte> content = newline < 0 ? data : data[..newline];
            if (!Append(content, out error))
            {
                return false;
            }

            _lineLength += content.Length;
            if (newline < 0)
            {
                data = default;
                return false;
            }

            data = data[(newline + 1)..];
            bool emptyLine = _lineLength == 0 || (_lineLength == 1 && _buffer![_lineStart] == '\r');
            if (emptyLine && skipLeadingEmptyLines && _lineStart == 0)
            {
                _length = 0;
                _lineLength = 0;
                continue;
            }

            if (!Append("\n"u8, out error))
            {
                return false;
            }

            if (emptyLine)
            {
                block = _buffer.AsSpan(0, _length);
                return true;
            }

            _lineStart = _length;
            _lineLength = 0;
        }

        return false;
    }

    /// <summary>Forgets the block handed out and gives the buffer back to the pool.</summary>
    public void Release()
    {
        _length = 0;
        _lineStart = 0;
        _lineLength = 0;
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool TryFindInPlace(ref ReadOnlySpan<byte> data, bool skipLeadingEmptyLines, out ReadOnlySpan<byte> block, out string? error)
    {
        block = default;
        error = null;
        int position = 0;
        while (true)
        {
            int newline = data[position..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                return false;
            }

            ReadOnlySpan<byte> line = data.Slice(position, newline);
            if (line.IsEmpty || line is [(byte)'\r'])
            {
                if (position == 0 && skipLeadingEmptyLines)
                {
                    data = data[(newline + 1)..];
                    continue;
                }

                int end = position + newline + 1;
                if (end > _limits.MaxHeadBytes)
                {
                    error = TooLarge();
                    return false;
                }

                block = data[..end];
                data = data[end..];
                return true;
            }

            position += newline + 1;
        }
    }

    private bool Append(ReadOnlySpan<byte> bytes, out string? error)
    {
        error = null;
        // Past the line limit the rest of the line is dropped; the newline itself is always kept.
        int room = bytes is [(byte)'\n'] ? 1 : (int)Math.Max(0, _limits.MaxLineBytes - _lineLength);
        int take = Math.Min(room, bytes.Length);
        if (take == 0)
        {
            return true;
        }

        if (_length + take > _limits.MaxHeadBytes)
        {
            error = TooLarge();
            return false;
        }

        if (_buffer is null || _length + take > _buffer.Length)
        {
            byte[] grown = ArrayPool<byte>.Shared.Rent(Math.Min(_limits.MaxHeadBytes, Math.Max(_length + take, Math.Max(4096, (_buffer?.Length ?? 0) * 2))));
            if (_buffer is { } old)
            {
                old.AsSpan(0, _length).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(old);
            }

            _buffer = grown;
        }

        bytes[..take].CopyTo(_buffer.AsSpan(_length));
        _length += take;
        return true;
    }

    private string TooLarge() => $"a head or trailer section larger than {_limits.MaxHeadBytes} bytes";
}

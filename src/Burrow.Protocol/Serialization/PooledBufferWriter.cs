using System.Buffers;

namespace Burrow.Protocol.Serialization;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>.
/// Unlike <see cref="ArrayBufferWriter{T}"/> it hands its array back on <see cref="Reset"/>, and it
/// clears it first, because messages carry authtokens and passwords.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int MinimumSize = 512;

    private byte[] _buffer = [];
    private int _written;

    /// <summary>The bytes written so far; writable, so a length prefix can be filled in afterwards.</summary>
    public Memory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public int WrittenCount => _written;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _buffer.Length - _written)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureCapacity(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureCapacity(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Forgets what was written and returns the array to the pool, cleared.</summary>
    public void Reset()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer, clearArray: true);
            _buffer = [];
        }

        _written = 0;
    }

    public void Dispose() => Reset();

    private void EnsureCapacity(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }

        int wanted = Math.Max(Math.Max(_buffer.Length * 2, _written + sizeHint), MinimumSize);
        byte[] larger = ArrayPool<byte>.Shared.Rent(wanted);
        _buffer.AsSpan(0, _written).CopyTo(larger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer, clearArray: true);
        }

        _buffer = larger;
    }
}

namespace Burrow.Protocol.Pumping;

/// <summary>
/// Buffers of one size kept for reuse, as many as the recent demand needed: <see cref="Trim"/> drops
/// those that no rental touched since the last trim (the fewest kept at any moment in between were idle
/// the whole time), so a burst of bulk transfers leaves its buffers to the GC once it is over, while a
/// steady load keeps all it uses and allocates nothing.
/// </summary>
internal sealed class BufferBucket
{
    private readonly Lock _lock = new();
    private readonly byte[]?[] _kept;
    private int _count;
    private int _lowWater;

    public BufferBucket(int size, int maxKept)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKept, 0);
        Size = size;
        _kept = new byte[maxKept][];
    }

    public int Size { get; }

    /// <summary>Buffers kept now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public byte[] Rent()
    {
        lock (_lock)
        {
            if (_count > 0)
            {
                byte[] buffer = _kept[--_count]!;
                _kept[_count] = null;
                _lowWater = Math.Min(_lowWater, _count);
                return buffer;
            }

            _lowWater = 0;
        }

        return GC.AllocateUninitializedArray<byte>(Size);
    }

    /// <summary>Keeps <paramref name="buffer"/> for the next rental, unless the bucket is full (then the GC has it).</summary>
    public void Return(byte[] buffer)
    {
        if (buffer.Length != Size)
        {
            throw new ArgumentException($"a {buffer.Length}-byte buffer returned to the {Size}-byte bucket", nameof(buffer));
        }

        lock (_lock)
        {
            if (_count < _kept.Length)
            {
                _kept[_count++] = buffer;
            }
        }
    }

    /// <summary>Lets go of the buffers no rental needed since the last trim; returns how many.</summary>
    public int Trim()
    {
        lock (_lock)
        {
            int idle = Math.Min(_lowWater, _count);
            for (int i = 0; i < idle; i++)
            {
                _kept[--_count] = null;
            }

            _lowWater = _count;
            return idle;
        }
    }
}

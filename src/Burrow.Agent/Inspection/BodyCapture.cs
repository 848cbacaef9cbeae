namespace Burrow.Agent.Inspection;

/// <summary>
/// The first bytes of a body, up to a limit, and how long the whole body was: the inspector keeps a
/// prefix and marks the cut rather than buffering what streams through.
/// </summary>
internal sealed class BodyCapture
{
    private readonly int _limit;
    private byte[] _buffer = [];
    private int _kept;

    public BodyCapture(int limit)
    {
        _limit = limit;
    }

    /// <summary>Bytes seen, kept or not.</summary>
    public long Length { get; private set; }

    /// <summary>Whether bytes past the limit were dropped.</summary>
    public bool Truncated => Length > _kept;

    /// <summary>The kept prefix.</summary>
    public ReadOnlyMemory<byte> Kept => _buffer.AsMemory(0, _kept);

    /// <summary>Bytes held in memory, for the store's budget.</summary>
    public int Footprint => _buffer.Length;

    public static BodyCapture From(byte[] body, int limit)
    {
        var capture = new BodyCapture(limit);
        capture.Append(body);
        return capture;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        Length += data.Length;
        int room = _limit - _kept;
        if (room <= 0 || data.IsEmpty)
        {
            return;
        }

        int take = Math.Min(room, data.Length);
        if (_kept + take > _buffer.Length)
        {
            // Grow by doubling up to the limit, so a small body holds a small array.
            int size = Math.Min(_limit, Math.Max(_kept + take, Math.Max(256, _buffer.Length * 2)));
            Array.Resize(ref _buffer, size);
        }

        data[..take].CopyTo(_buffer.AsSpan(_kept));
        _kept += take;
    }

    /// <summary>Drops the spare capacity once the body is complete.</summary>
    public void Seal()
    {
        if (_buffer.Length != _kept)
        {
            Array.Resize(ref _buffer, _kept);
        }
    }
}

namespace Burrow.Agent.Inspection;

/// <summary>
/// One side (request or response) of an exchange while it is captured: the head as the bytes went by, the body's
/// first bytes up to the per-request limit and its full length, and the trailer section of a chunked body.
/// </summary>
/// <remarks>
/// Nothing is parsed here: the store keeps these bytes and the inspector parses them when someone looks. The
/// buffers are pooled and go back when the store has copied them (<see cref="Release"/>). Each side is filled
/// by one thread only (its direction's pump).
/// </remarks>
internal sealed class MessageCapture
{
    private readonly int _bodyLimit;
    private byte[]? _head;
    private int _headLength;
    private byte[]? _body;
    private int _kept;
    private byte[]? _trailers;
    private int _trailersLength;

    public MessageCapture(int bodyLimit)
    {
        _bodyLimit = bodyLimit;
    }

    /// <summary>Whether a head has been captured.</summary>
    public bool HasHead => _headLength > 0;

    public ReadOnlySpan<byte> Head => _head.AsSpan(0, _headLength);

    /// <summary>The body's kept prefix.</summary>
    public ReadOnlySpan<byte> Body => _body.AsSpan(0, _kept);

    /// <summary>Body bytes seen, kept or not.</summary>
    public long BodyLength { get; private set; }

    public ReadOnlySpan<byte> Trailers => _trailers.AsSpan(0, _trailersLength);

    /// <summary>Keeps the raw head (start line, fields, the empty line); a later one (after an interim response) replaces it.</summary>
    public void SetHead(ReadOnlySpan<byte> head)
    {
        _head = CaptureBuffers.Grow(_head, 0, head.Length);
        head.CopyTo(_head);
        _headLength = head.Length;
    }

    public void AppendBody(ReadOnlySpan<byte> data)
    {
        BodyLength += data.Length;
        int take = Math.Min(_bodyLimit - _kept, data.Length);
        if (take <= 0)
        {
            return;
        }

        // Doubling from a small first buffer, so a small body holds a small array.
        _body = CaptureBuffers.Grow(_body, _kept, take);
        data[..take].CopyTo(_body.AsSpan(_kept));
        _kept += take;
    }

    public void SetTrailers(ReadOnlySpan<byte> trailers)
    {
        _trailers = CaptureBuffers.Grow(_trailers, 0, trailers.Length);
        trailers.CopyTo(_trailers);
        _trailersLength = trailers.Length;
    }

    /// <summary>Gives the buffers back; the capture is empty afterwards.</summary>
    public void Release()
    {
        Return(ref _head);
        Return(ref _body);
        Return(ref _trailers);
        _headLength = _kept = _trailersLength = 0;
        BodyLength = 0;
    }

    private static void Return(ref byte[]? buffer)
    {
        if (buffer is { } b)
        {
            buffer = null;
            CaptureBuffers.Return(b);
        }
    }
}

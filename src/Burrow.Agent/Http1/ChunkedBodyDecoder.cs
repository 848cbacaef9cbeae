namespace Burrow.Agent.Http1;

/// <summary>
/// Removes chunked framing (RFC 9112 §7.1) from bytes that arrive in pieces: chunk sizes, extensions
/// (skipped), the data, and the final zero chunk. The trailer section after it is the caller's.
/// </summary>
/// <remarks>
/// <code>
/// chunk      = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
/// last-chunk = 1*("0") [ chunk-ext ] CRLF
/// </code>
/// A bare LF is accepted where CRLF is expected, as most servers do; anything else is a violation
/// that stops observation (the bytes still pass; the upstream or client judges them).
/// </remarks>
internal struct ChunkedBodyDecoder
{
    // More hex digits than this would overflow a long; no real body is that large.
    private const int MaxSizeDigits = 15;

    private State _state;
    private long _remaining;
    private int _digits;
    private int _extensionBytes;

    private enum State
    {
        Size,
        Extension,
        SizeLineFeed,
        Data,
        DataCarriageReturn,
        DataLineFeed,
        Done,
    }

    /// <summary>Whether the last chunk's size line has been read: the trailer section follows.</summary>
    public readonly bool ReachedLastChunk => _state == State.Done;

    /// <summary>
    /// Decodes from <paramref name="data"/>, passing chunk data to <paramref name="sink"/>, until the data is used up or
    /// the last chunk's size line ends. Returns an error description on a framing violation, else <see langword="null"/>.
    /// </summary>
    public string? Decode(ref ReadOnlySpan<byte> data, IHttp1MessageSink sink, Http1Limits limits)
    {
        // Bounded: each pass consumes at least one byte, or delivers data and consumes it.
        while (!data.IsEmpty && _state != State.Done)
        {
            switch (_state)
            {
                case State.Size:
                {
                    byte b = data[0];
                    int digit = HexValue(b);
                    if (digit >= 0)
                    {
                        if (++_digits > MaxSizeDigits)
                        {
                            return "a chunk size too large";
                        }

                        _remaining = (_remaining << 4) | (uint)digit;
                        data = data[1..];
                        break;
                    }

                    if (_digits == 0)
                    {
                        return "a chunk size that is not hexadecimal";
                    }

                    if (b is (byte)';' or (byte)' ' or (byte)'\t')
                    {
                        _state = State.Extension;
                        _extensionBytes = 0;
                    }
                    else if (b == '\r')
                    {
                        _state = State.SizeLineFeed;
                        data = data[1..];
                    }
                    else if (b == '\n')
                    {
                        EndSizeLine();
                        data = data[1..];
                    }
                    else
                    {
                        return "a chunk size that is not hexadecimal";
                    }

                    break;
                }

                case State.Extension:
                {
                    int newline = data.IndexOf((byte)'\n');
                    int skipped = newline < 0 ? data.Length : newline;
                    _extensionBytes += skipped;
                    if (_extensionBytes > limits.MaxChunkExtensionBytes)
                    {
                        return $"chunk extensions longer than {limits.MaxChunkExtensionBytes} bytes";
                    }

                    if (newline < 0)
                    {
                        data = default;
                    }
                    else
                    {
                        EndSizeLine();
                        data = data[(newline + 1)..];
                    }

                    break;
                }

                case State.SizeLineFeed:
                    if (data[0] != '\n')
                    {
                        return "a chunk size line not ended by CRLF";
                    }

                    EndSizeLine();
                    data = data[1..];
                    break;

                case State.Data:
                {
                    int take = (int)Math.Min(_remaining, data.Length);
                    sink.OnBody(data[..take]);
                    data = data[take..];
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        _state = State.DataCarriageReturn;
                    }

                    break;
                }

                case State.DataCarriageReturn:
                    if (data[0] == '\r')
                    {
                        _state = State.DataLineFeed;
                    }
                    else if (data[0] == '\n')
                    {
                        _state = State.Size;
                    }
                    else
                    {
                        return "chunk data longer than its size";
                    }

                    data = data[1..];
                    break;

                case State.DataLineFeed:
                    if (data[0] != '\n')
                    {
                        return "chunk data longer than its size";
                    }

                    _state = State.Size;
                    data = data[1..];
                    break;
            }
        }

        return null;
    }

    private void EndSizeLine()
    {
        _digits = 0;
        _state = _remaining == 0 ? State.Done : State.Data;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}

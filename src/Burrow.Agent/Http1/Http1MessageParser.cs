namespace Burrow.Agent.Http1;

/// <summary>
/// Follows one direction of an HTTP/1.x connection (RFC 9112) as its bytes go by: heads, bodies framed by
/// Content-Length, chunked coding or the end of the connection, and the next message after each one.
/// </summary>
/// <remarks>
/// It observes and never judges: the bytes it is fed are forwarded as they are whatever it makes of them.
/// On anything it cannot follow (a framing violation, obs-fold, a head past the limit) it stops and says
/// why in <see cref="Error"/>; after a protocol switch (101, a CONNECT tunnel) it stops without an error,
/// since what follows is not HTTP/1.x. Its state is a few fields and, only while a head is split across
/// reads, one pooled buffer of at most <see cref="Http1Limits.MaxHeadBytes"/>.
/// </remarks>
internal sealed class Http1MessageParser
{
    private const int UpgradePending = 0;
    private const int UpgradeRefused = 1;
    private const int UpgradeAccepted = 2;

    private readonly Http1MessageKind _kind;
    private readonly IHttp1MessageSink _sink;
    private readonly Http1Limits _limits;
    private readonly FieldBlockCollector _block;
    private State _state;
    // Where a message's end leads: the next head, or a wait for the answer to an upgrade request.
    private State _afterBody;
    private long _remaining;
    private ChunkedBodyDecoder _chunked;
    // Written by the other direction's thread, read by this one's (see ResolveUpgrade).
    private volatile int _upgrade;

    public Http1MessageParser(Http1MessageKind kind, IHttp1MessageSink sink, Http1Limits? limits = null)
    {
        _kind = kind;
        _sink = sink;
        _limits = limits ?? Http1Limits.Default;
        _block = new FieldBlockCollector(_limits);
    }

    private enum State
    {
        Head,
        FixedBody,
        ChunkedBody,
        Trailers,
        UntilClose,
        AwaitingUpgrade,
        Stopped,
    }

    /// <summary>Why the parser stopped following the connection, when it met something it cannot follow.</summary>
    public string? Error { get; private set; }

    /// <summary>Whether it follows the connection no more (an error, a protocol switch, or the end).</summary>
    public bool Stopped => _state == State.Stopped;

    /// <summary>Whether it waits for a message: nothing of one has been seen since the last ended.</summary>
    public bool BetweenMessages => _state is State.Head && !_block.HasPartial;

    /// <summary>Reads the next bytes of this direction; false once the parser has stopped.</summary>
    public bool Feed(ReadOnlySpan<byte> data)
    {
        // Bounded: each state consumes bytes, or moves to a state that does, or stops.
        while (!data.IsEmpty && _state != State.Stopped)
        {
            switch (_state)
            {
                case State.Head:
                    ReadHead(ref data);
                    break;

                case State.FixedBody:
                {
                    int take = (int)Math.Min(_remaining, data.Length);
                    _sink.OnBody(data[..take]);
                    data = data[take..];
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        EndMessage();
                    }

                    break;
                }

                case State.ChunkedBody:
                    if (_chunked.Decode(ref data, _sink, _limits) is { } violation)
                    {
                        Fail(violation);
                    }
                    else if (_chunked.ReachedLastChunk)
                    {
                        _state = State.Trailers;
                    }

                    break;

                case State.Trailers:
                    ReadTrailers(ref data);
                    break;

                case State.UntilClose:
                    _sink.OnBody(data);
                    data = default;
                    break;

                case State.AwaitingUpgrade:
                    // A client sends nothing after an upgrade request until it has the answer; bytes before a refusal are the new protocol's.
                    if (_upgrade == UpgradeRefused)
                    {
                        _upgrade = UpgradePending;
                        _state = State.Head;
                    }
                    else
                    {
                        Stop();
                    }

                    break;
            }
        }

        return _state != State.Stopped;
    }

    /// <summary>The direction ended (FIN or reset): a body framed by the close ends here; nothing more is parsed.</summary>
    public void End()
    {
        if (_state == State.UntilClose)
        {
            _sink.OnMessageEnd();
        }

        Stop();
    }

    /// <summary>
    /// Tells a request parser waiting after an upgrade request (or CONNECT) how the upstream answered: refused, it parses the
    /// next request; accepted, it stops. Called from the response direction's thread.
    /// </summary>
    public void ResolveUpgrade(bool accepted) => _upgrade = accepted ? UpgradeAccepted : UpgradeRefused;

    /// <summary>Stops following the connection without an error (the caller decided, or a protocol switch).</summary>
    public void Stop()
    {
        _state = State.Stopped;
        _block.Release();
    }

    private void ReadHead(ref ReadOnlySpan<byte> data)
    {
        if (!_block.TryCollect(ref data, skipLeadingEmptyLines: true, out ReadOnlySpan<byte> block, out string? error))
        {
            if (error is not null)
            {
                Fail(error);
            }

            return;
        }

        Http1Head? head;
        (head, error) = _kind == Http1MessageKind.Request ? Http1HeadReader.ReadRequest(block, _limits) : Http1HeadReader.ReadResponse(block, _limits);
        if (head is null)
        {
            Fail(error!);
        }
        else if (_kind == Http1MessageKind.Request)
        {
            StartRequestBody(head, block);
        }
        else
        {
            StartResponseBody(head, block);
        }

        // After the sink has seen the raw head: the block may be the collector's buffer.
        _block.Release();
    }

    private void StartRequestBody(Http1Head head, ReadOnlySpan<byte> raw)
    {
        // RFC 9112 §6.3: a request has a body only when it says so; it is never framed by the close.
        (BodyFraming framing, long length, string? error) = MessageFraming.Of(head, closeDelimitedAllowed: false);
        if (error is not null)
        {
            Fail(error);
            return;
        }

        _sink.OnHead(head, raw);
        if (_state == State.Stopped)
        {
            return;
        }

        bool upgrade = head.Method == "CONNECT" || (head.Header("Upgrade") is not null && head.HasToken("Connection", "upgrade"));
        if (upgrade)
        {
            _upgrade = UpgradePending;
        }

        StartBody(framing, length, upgrade ? State.AwaitingUpgrade : State.Head);
    }

    private void StartResponseBody(Http1Head head, ReadOnlySpan<byte> raw)
    {
        if (head.StatusCode == 101)
        {
            // The connection now speaks another protocol (WebSocket, h2c): the handshake is all there is to record.
            _sink.OnHead(head, raw);
            _sink.OnMessageEnd();
            Stop();
            return;
        }

        if (head.IsInterim)
        {
            // 100 Continue, 103 Early Hints: no body, and the final response follows.
            _sink.OnHead(head, raw);
            return;
        }

        string? method = _sink.RequestMethod;
        if (method == "CONNECT" && head.StatusCode is >= 200 and < 300)
        {
            _sink.OnHead(head, raw);
            _sink.OnMessageEnd();
            Stop();
            return;
        }

        // RFC 9112 §6.3: responses to HEAD, and 204 and 304, never have a body whatever their fields say.
        bool noBody = method == "HEAD" || head.StatusCode is 204 or 304;
        (BodyFraming framing, long length, string? error) = noBody ? (BodyFraming.None, 0, null) : MessageFraming.Of(head, closeDelimitedAllowed: true);
        if (error is not null)
        {
            Fail(error);
            return;
        }

        _sink.OnHead(head, raw);
        if (_state != State.Stopped)
        {
            StartBody(framing, length, State.Head);
        }
    }

    private void StartBody(BodyFraming framing, long length, State afterBody)
    {
        switch (framing)
        {
            case BodyFraming.Length:
                _remaining = length;
                _state = State.FixedBody;
                _afterBody = afterBody;
                break;
            case BodyFraming.Chunked:
                _chunked = default;
                _state = State.ChunkedBody;
                _afterBody = afterBody;
                break;
            case BodyFraming.UntilClose:
                _state = State.UntilClose;
                break;
            default:
                _afterBody = afterBody;
                EndMessage();
                break;
        }
    }

    private void ReadTrailers(ref ReadOnlySpan<byte> data)
    {
        if (!_block.TryCollect(ref data, skipLeadingEmptyLines: false, out ReadOnlySpan<byte> block, out string? error))
        {
            if (error is not null)
            {
                Fail(error);
            }

            return;
        }

        // Checked like a head's fields, and handed on raw: the sink parses them if it wants them.
        error = Http1HeadReader.ReadFields(block, _limits, fields: null);
        if (error is null && block is not ([(byte)'\n'] or [(byte)'\r', (byte)'\n']))
        {
            _sink.OnTrailers(block);
        }

        _block.Release();
        if (error is not null)
        {
            Fail(error);
            return;
        }

        EndMessage();
    }

    private void EndMessage()
    {
        _state = _afterBody;
        _afterBody = State.Head;
        _sink.OnMessageEnd();
    }

    private void Fail(string reason)
    {
        Error = reason;
        Stop();
    }
}

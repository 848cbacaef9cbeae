using Burrow.Mux.Streams;

namespace Burrow.Mux.Muxado;

/// <summary>
/// One muxado stream: a full-duplex byte stream with half-close and reset.
/// <list type="bullet">
/// <item><see cref="CompleteWrites"/> sends FIN after what was written: the peer reads end of stream,
/// and this side can go on reading until the peer's FIN, after which reads return 0.</item>
/// <item><see cref="Abort()"/> sends RST (<see cref="MuxadoErrorCode.StreamCancelled"/>): reads and
/// writes fail on both sides. After the peer's RST, reads and writes throw <see cref="MuxadoException"/>
/// with its code, except that data which arrived with or before the peer's FIN stays readable.</item>
/// <item>Disposing after <see cref="CompleteWrites"/> lets the FIN leave, stops reading (data the peer
/// still sends is answered with RST <see cref="MuxadoErrorCode.StreamClosed"/>, as Go's muxado
/// <c>Close</c> does) and sends no RST. Disposing without it aborts: unfinished writes mean the
/// exchange did not complete, and the peer must not take the stream for a clean end.</item>
/// <item>Cancelling a pending read or write aborts the stream, as cancelling a <c>QuicStream</c>
/// read does: a byte stream cannot skip what a cancelled write did or did not send.</item>
/// </list>
/// One read and one write may be pending at a time (a second concurrent one throws
/// <see cref="InvalidOperationException"/>).
/// </summary>
/// <remarks>
/// Lock order: the session's stream table lock, then <c>_lock</c>; while <c>_lock</c> is held
/// nothing that takes the table lock is called (<see cref="MuxadoSession.Retire"/> runs after it is released).
/// </remarks>
public sealed partial class MuxadoStream : MultiplexedStream
{
    private readonly MuxadoSession _session;

    // Guards the state of both directions. The session's reader takes it per DATA frame, the
    // writer per frame it sends, the user per read and write: each holds it only to copy.
    private readonly Lock _lock = new();

    // Guarded by _lock. Set once, by whichever of local abort, peer reset, a stream-level fault or
    // the session's end comes first.
    private MuxadoException? _error;
    private bool _retired;

    private int _disposed;

    internal MuxadoStream(MuxadoSession session, uint id, bool isOutbound)
    {
        _session = session;
        Id = id;
        IsOutbound = isOutbound;
        _synSent = !isOutbound; // the peer's SYN opened it: there is nothing to announce
        _recvPipe = new System.IO.Pipelines.Pipe(ReceivePipeOptions);
    }

    /// <summary>The muxado stream id: even when the server opened the stream, odd when the client did.</summary>
    public uint Id { get; }

    /// <summary>True when this side opened the stream; false when it was accepted.</summary>
    public bool IsOutbound { get; }

    /// <summary>
    /// Resets the stream with <see cref="MuxadoErrorCode.StreamCancelled"/>: pending data is dropped,
    /// and pending and later reads and writes on both sides fail. Safe to call more than once; the
    /// first end (this, a peer's reset, the session's end) wins.
    /// </summary>
    public override void Abort() => Abort(MuxadoErrorCode.StreamCancelled);

    /// <summary>Resets the stream with <paramref name="code"/> (see <see cref="Abort()"/>).</summary>
    /// <param name="code">The code the peer's RST carries; local calls fail with it too.</param>
    public void Abort(MuxadoErrorCode code) =>
        Terminate(new MuxadoException(code, $"muxado stream {Id} was aborted by this side ({code})"), reset: code);

    /// <inheritdoc />
    public override string ToString() => $"muxado stream {Id} ({(IsOutbound ? "outbound" : "inbound")})";

    internal void OnRemoteReset(uint code) =>
        Terminate(new MuxadoException((MuxadoErrorCode)code, $"muxado stream {Id} was reset by the peer ({(MuxadoErrorCode)code})", isRemote: true), reset: null);

    internal void OnSessionEnded(MuxadoErrorCode code, MuxadoCloseInfo info, bool isRemote) =>
        Terminate(new MuxadoException(code, $"muxado stream {Id}: the session ended: {info.Reason}", info.Exception, isRemote), reset: null);

    /// <summary>
    /// Ends the stream abnormally, once: fails a pending write, makes reads fail (unless the peer's
    /// FIN already came: then what it sent stays readable), tells the peer with RST when asked and
    /// the peer knows the stream, and leaves the session's table.
    /// </summary>
    private void Terminate(MuxadoException error, MuxadoErrorCode? reset)
    {
        bool sendReset;
        bool failWrite;
        lock (_lock)
        {
            if (_error is not null)
            {
                return;
            }

            _error = error;
            // The peer knows the stream once its SYN left; a stream both sides finished needs no reset.
            sendReset = reset is not null && _synSent && !(_finSent && _remoteFin);
            failWrite = _writePending;
            _writePending = false;
            _pendingWrite = default;
            if (!_recvCompleted)
            {
                _recvCompleted = true;
                _recvPipe.Writer.Complete(error);
            }
        }

        if (sendReset)
        {
            _session.EnqueueControl(MuxadoControlFrame.Reset(Id, reset!.Value));
        }

        if (failWrite)
        {
            _writeCompletion.SetException(error);
        }

        Retire();
    }

    /// <summary>Leaves the session's table once no frame can matter to this stream any more. Call without holding <c>_lock</c>.</summary>
    private void Retire()
    {
        lock (_lock)
        {
            if (_retired)
            {
                return;
            }

            _retired = true;
        }

        _session.Retire(this);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            bool finished;
            lock (_lock)
            {
                finished = _finRequested || _error is not null;
            }

            if (finished)
            {
                StopReading();
            }
            else
            {
                Abort(MuxadoErrorCode.StreamCancelled);
            }

            CompleteReaderIfIdle();
        }

        base.Dispose(disposing);
    }
}

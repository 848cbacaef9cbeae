using System.IO.Pipelines;
using System.Threading.Tasks.Sources;
using Burrow.Mux.Buffers;
using Burrow.Mux.Errors;
using Burrow.Mux.Frames;
using Burrow.Mux.Sessions;

namespace Burrow.Mux.Streams;

/// <summary>
/// One yamux stream: a full-duplex byte stream with half-close and abort, shaped like
/// <c>QuicStream</c>. <see cref="CompleteWrites"/> sends FIN (the peer reads end of stream, and
/// this side can still read); <see cref="Abort"/> sends RST (both directions fail at once);
/// disposing sends FIN if it was not sent and stops reading. Cancelling a read or a write aborts
/// the stream, since yamux has no way to give up on one direction alone.
/// </summary>
/// <remarks>
/// Lock order: the session's stream table lock, then at most one of <c>_sendLock</c> or
/// <c>_recvLock</c>; the two stream locks are never held together, and no session method that
/// takes the table lock is called while a stream lock is held.
/// </remarks>
public sealed partial class MuxStream : MultiplexedStream, IValueTaskSource
{
    private static readonly PipeOptions ReceivePipeOptions = new(
        pool: BlockMemoryPool.Instance,
        readerScheduler: PipeScheduler.ThreadPool,
        writerScheduler: PipeScheduler.Inline,
        // No pause: the flow-control window, not the pipe, bounds what is buffered, and the
        // session's reader must never wait on one slow stream.
        pauseWriterThreshold: 0,
        resumeWriterThreshold: 0,
        minimumSegmentSize: BlockMemoryPool.DefaultBlockSize,
        useSynchronizationContext: false);

    private readonly MuxSession _session;
    private readonly TaskCompletionSource _readsClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _writesClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Set once, by whichever of local abort, peer reset or session end comes first.
    private Exception? _terminalError;
    private int _terminated;
    private int _retired;
    private int _awaitingAck;
    private int _disposed;

    internal MuxStream(MuxSession session, uint id, bool isOutbound, long now)
    {
        _session = session;
        Id = id;
        IsOutbound = isOutbound;
        _awaitingAck = isOutbound ? 1 : 0;
        OpenedAt = now;
        _recvPipe = new Pipe(ReceivePipeOptions);
        _recvWindowTarget = MuxOptions.InitialStreamWindow;
        _recvWindow = MuxOptions.InitialStreamWindow;
        _sendWindow = MuxOptions.InitialStreamWindow;
        _epochStart = now;
    }

    /// <summary>The yamux stream id: odd when the client opened it, even when the server did.</summary>
    public uint Id { get; }

    /// <summary>True when this side opened the stream; false when it was accepted.</summary>
    public bool IsOutbound { get; }

    /// <summary>Completes when the read side ends: end of stream read, reset, abort or session end.</summary>
    public Task ReadsClosed => _readsClosed.Task;

    /// <summary>Completes when the write side ends: FIN sent, reset, abort or session end.</summary>
    public Task WritesClosed => _writesClosed.Task;

    /// <summary>The session this stream belongs to.</summary>
    public MuxSession Session => _session;

    internal long OpenedAt { get; }

    internal bool IsAwaitingAck => Volatile.Read(ref _awaitingAck) == 1;

    /// <summary>
    /// Aborts both directions at once and tells the peer with RST. Pending and later reads and
    /// writes fail with <see cref="MuxStreamException"/> (<see cref="MuxError.StreamAborted"/>).
    /// </summary>
    public override void Abort() => Terminate(MuxError.StreamAborted, "the stream was aborted by this side", sendReset: true);

    /// <inheritdoc />
    public override string ToString() => $"stream {Id} ({(IsOutbound ? "outbound" : "inbound")})";

    /// <summary>The peer accepted the stream (ACK): its slot in the open backlog is free again.</summary>
    internal void OnAcked()
    {
        if (Interlocked.Exchange(ref _awaitingAck, 0) == 1)
        {
            _session.ReleaseOpenSlot();
        }
    }

    internal void OnRemoteReset() =>
        Terminate(MuxError.StreamResetByPeer, $"stream {Id} was reset by the peer", sendReset: false);

    internal void OnSessionClosed(Exception error) =>
        Terminate(MuxError.SessionClosed, error.Message, sendReset: false, error);

    internal void OnOpenTimedOut() =>
        Terminate(MuxError.OpenTimeout, $"the peer did not accept stream {Id} in time", sendReset: true);

    internal void OnCloseTimedOut() =>
        Terminate(MuxError.StreamAborted, $"the peer did not close stream {Id} in time after this side did", sendReset: true);

    private void Terminate(MuxError error, string message, bool sendReset, Exception? inner = null)
    {
        if (Interlocked.Exchange(ref _terminated, 1) == 1)
        {
            return;
        }

        var exception = new MuxStreamException(error, Id, message, inner);
        Volatile.Write(ref _terminalError, exception);
        if (sendReset)
        {
            _session.EnqueueControl(new FrameHeader(FrameType.WindowUpdate, FrameFlags.Rst, Id, 0));
        }

        FailReceive(exception);
        FailSend(exception);
        OnAcked();
        Retire();
    }

    /// <summary>Leaves the session's table once nothing more can happen on this stream.</summary>
    private void TryRetire()
    {
        if (Volatile.Read(ref _finSent) == 1 && Volatile.Read(ref _remoteFin) == 1)
        {
            Retire();
        }
    }

    private void Retire()
    {
        if (Interlocked.Exchange(ref _retired, 1) == 0)
        {
            _session.Retire(this);
        }
    }

    /// <summary>
    /// Faults a task the user may or may not watch, and marks its exception observed. Most
    /// callers never look at ReadsClosed/WritesClosed; without this, every stream that ends in
    /// an error would surface later as an UnobservedTaskException. Awaiting the task still throws.
    /// </summary>
    internal static void FailObserved(TaskCompletionSource source, Exception error)
    {
        if (source.TrySetException(error))
        {
            _ = source.Task.Exception;
        }
    }

    private Exception TerminalErrorOrClosed() =>
        Volatile.Read(ref _terminalError) ?? new MuxStreamException(MuxError.SessionClosed, Id, "the stream is closed");

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            CompleteWrites();
            StopReading();
        }

        base.Dispose(disposing);
    }
}

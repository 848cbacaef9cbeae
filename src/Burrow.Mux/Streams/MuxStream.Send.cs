using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using Burrow.Mux.Errors;
using Burrow.Mux.Frames;
using Burrow.Mux.Sessions;

namespace Burrow.Mux.Streams;

// The send direction. A write hands its buffer to the session's single writer loop and waits;
// the loop copies it out one frame at a time, round-robin with the other streams, as far as the
// peer's window allows. The write completes once every byte is in the session's output.
public sealed partial class MuxStream
{
    // A write this small (a request, a response head, an echo, a keystroke) is sent before the
    // frames of bulk streams: otherwise it waits a turn behind every busy stream, up to a 64 KiB
    // frame each. Reads of a bulk socket or TLS stream come in larger pieces than this.
    internal const int SmallWrite = 4 * 1024;

    private readonly Lock _sendLock = new();

    // Guarded by _sendLock.
    private long _sendWindow;                 // bytes the peer lets this side send now
    private ReadOnlyMemory<byte> _pendingWrite;
    private bool _writePending;
    private bool _finRequested;
    private bool _inReadyQueue;
    private Exception? _sendError;
    private ManualResetValueTaskSourceCore<bool> _writeCore = new() { RunContinuationsAsynchronously = true };

    private int _finSent;

    internal long FinSentAt { get; private set; }

    internal bool IsHalfClosedLocally => Volatile.Read(ref _finSent) == 1;

    /// <summary>True while a write or a requested FIN has not gone out yet (and the stream can still send it).</summary>
    internal bool HasUnsentData
    {
        get
        {
            lock (_sendLock)
            {
                return SendFailure() is null && (_writePending || (_finRequested && _finSent == 0));
            }
        }
    }

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (buffer.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        cancellationToken.ThrowIfCancellationRequested();
        bool schedule;
        short version;
        var small = buffer.Length <= SmallWrite;
        lock (_sendLock)
        {
            if (SendFailure() is { } failure)
            {
                return ValueTask.FromException(failure);
            }

            if (_session.IsDraining)
            {
                return ValueTask.FromException(new MuxStreamException(MuxError.SessionClosing, Id, $"stream {Id}: the session is closing and takes no new data"));
            }

            if (_finRequested)
            {
                return ValueTask.FromException(new MuxStreamException(MuxError.WritesCompleted, Id, $"stream {Id}: writes were already completed"));
            }

            if (_writePending)
            {
                throw new InvalidOperationException("Another write is already pending on this stream.");
            }

            _writeCore.Reset();
            version = _writeCore.Version;
            _pendingWrite = buffer;
            _writePending = true;
            schedule = ScheduleIfSendable();
        }

        if (schedule)
        {
            _session.EnqueueReady(this, inline: buffer.Length >= _session.Options.InlineWriteThreshold, small);
        }

        var pending = new ValueTask(this, version);
        return cancellationToken.CanBeCanceled ? AwaitWriteAsync(pending, cancellationToken) : pending;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitWriteAsync(ValueTask pending, CancellationToken cancellationToken)
    {
        // A write cannot be taken back from the middle of the byte stream: cancelling one aborts the stream.
        using var registration = cancellationToken.UnsafeRegister(static s => ((MuxStream)s!).Abort(), this);
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (MuxStreamException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    /// <summary>
    /// Half-closes the stream: sends FIN after any pending data. The peer reads end of stream;
    /// this side can go on reading until the peer closes too. Calling it again does nothing.
    /// </summary>
    public override void CompleteWrites()
    {
        bool schedule;
        lock (_sendLock)
        {
            if (_finRequested || SendFailure() is not null)
            {
                return;
            }

            _finRequested = true;
            schedule = ScheduleIfSendable();
        }

        if (schedule)
        {
            // Scheduled here only when no data waits: the frame is a bare FIN.
            _session.EnqueueReady(this, small: true);
        }
    }

    /// <summary>Called by the session's reader for a Window Update frame.</summary>
    internal void OnWindowUpdate(uint delta)
    {
        if (delta == 0)
        {
            return;
        }

        bool schedule;
        bool small;
        lock (_sendLock)
        {
            _sendWindow += delta;
            if (_sendWindow > uint.MaxValue)
            {
                throw new MuxProtocolException(GoAwayCode.ProtocolError, $"stream {Id}: window updates overflow the send window");
            }

            schedule = ScheduleIfSendable();
            small = _pendingWrite.Length <= SmallWrite;
        }

        if (schedule)
        {
            _session.EnqueueReady(this, small: small);
        }
    }

    /// <summary>True when the caller must put this stream on the writer's ready queue. Holds _sendLock.</summary>
    private bool ScheduleIfSendable()
    {
        if (_inReadyQueue || SendFailure() is not null)
        {
            return false;
        }

        var sendable = (_writePending && _sendWindow > 0) || (_finRequested && !_writePending && _finSent == 0);
        _inReadyQueue = sendable;
        return sendable;
    }

    /// <summary>
    /// Called only by the session's writer loop: writes at most one frame of this stream into
    /// <paramref name="output"/> and returns the bytes written. Requeues itself while it has more
    /// to send and window to send it, so streams take turns frame by frame.
    /// </summary>
    internal int WriteNextFrame(PipeWriter output, int maxFrameSize, long now)
    {
        var written = 0;
        var completeWrite = false;
        var requeue = false;
        var finJustSent = false;
        lock (_sendLock)
        {
            _inReadyQueue = false;
            if (SendFailure() is not null)
            {
                return 0; // terminated: nothing may follow the RST; FailSend fails the pending write
            }

            if (_writePending)
            {
                var count = (int)Math.Min(Math.Min(_pendingWrite.Length, _sendWindow), maxFrameSize);
                if (count == 0)
                {
                    return 0; // parked until a window update schedules it again
                }

                var chunk = _pendingWrite[..count];
                _pendingWrite = _pendingWrite[count..];
                var last = _pendingWrite.IsEmpty;
                var flags = FrameFlags.None;
                if (last && _finRequested)
                {
                    flags = FrameFlags.Fin;
                    finJustSent = true;
                }

                MuxSession.WriteHeader(output, new FrameHeader(FrameType.Data, flags, Id, (uint)count));
                output.Write(chunk.Span);
                written = FrameHeader.Size + count;
                _sendWindow -= count;
                if (last)
                {
                    _writePending = false;
                    _pendingWrite = default;
                    completeWrite = true;
                }
                else if (_sendWindow > 0)
                {
                    _inReadyQueue = requeue = true;
                }
                else
                {
                    // Parked with data left until the peer's window update: its reader is behind.
                    _session.Options.Counters?.WindowStalled();
                }
            }
            else if (_finRequested && _finSent == 0)
            {
                MuxSession.WriteHeader(output, new FrameHeader(FrameType.WindowUpdate, FrameFlags.Fin, Id, 0));
                written = FrameHeader.Size;
                finJustSent = true;
            }

            if (finJustSent)
            {
                FinSentAt = now;
                Interlocked.Exchange(ref _finSent, 1);
            }
        }

        if (requeue)
        {
            _session.EnqueueReady(this);
        }

        if (completeWrite)
        {
            _writeCore.SetResult(true);
        }

        if (finJustSent)
        {
            _writesClosed.TrySetResult();
            TryRetire();
        }

        return written;
    }

    /// <summary>
    /// Why nothing more may be sent, or null. Checks the terminal error too, which Terminate
    /// publishes before it fails either direction: whichever direction reports a reset first,
    /// the other already refuses (FailSend alone would come after reads could see the reset).
    /// </summary>
    private Exception? SendFailure() => _sendError ?? Volatile.Read(ref _terminalError);

    private void FailSend(Exception error)
    {
        bool failWrite;
        lock (_sendLock)
        {
            _sendError ??= error;
            failWrite = _writePending;
            _writePending = false;
            _pendingWrite = default;
        }

        if (failWrite)
        {
            _writeCore.SetException(error);
        }

        // A graceful close may be waiting for this stream's data, which will now never be sent.
        _session.WakeWriterIfDraining();

        if (Volatile.Read(ref _finSent) == 1)
        {
            _writesClosed.TrySetResult();
        }
        else
        {
            FailObserved(_writesClosed, error);
        }
    }

    void IValueTaskSource.GetResult(short token) => _writeCore.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _writeCore.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _writeCore.OnCompleted(continuation, state, token, flags);
}

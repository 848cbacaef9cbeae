using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Burrow.Mux.Muxado;

// The send direction. A write hands its buffer to the session's single writer and waits; the
// writer copies it out one frame at a time, in turn with the other streams, as far as the peer's
// window allows. The write completes once every byte is in the session's output (which the writer
// flushes as soon as it runs out of work).
public sealed partial class MuxadoStream
{
    private readonly WriteCompletionSource _writeCompletion = new();

    // Guarded by _lock.
    private long _sendWindow = MuxadoOptions.Window; // bytes the peer lets this side send now
    private ReadOnlyMemory<byte> _pendingWrite;
    private bool _writePending;
    private bool _finRequested;
    private bool _finSent;
    private bool _synSent;
    private bool _inReadyQueue;

    /// <summary>True while a write or a requested FIN has not gone out yet and still can (a graceful close waits for these).</summary>
    internal bool HasUnsentData
    {
        get
        {
            lock (_lock)
            {
                return _error is null && (_writePending || (_finRequested && !_finSent));
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Completes once the bytes are in the session's output; waits while the peer's window is
    /// full. The stream's first frame carries SYN. Cancelling a pending write aborts the stream.
    /// </remarks>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        if (buffer.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        bool schedule;
        short version;
        lock (_lock)
        {
            if (_error is not null)
            {
                return ValueTask.FromException(_error);
            }

            if (_session.IsDraining)
            {
                return ValueTask.FromException(new MuxadoException(MuxadoErrorCode.SessionClosed, $"muxado stream {Id}: the session is closing and takes no new data"));
            }

            if (_finRequested)
            {
                return ValueTask.FromException(new MuxadoException(MuxadoErrorCode.StreamClosed, $"muxado stream {Id}: writes were already completed"));
            }

            if (_writePending)
            {
                throw new InvalidOperationException("Another write is already pending on this stream.");
            }

            version = _writeCompletion.Reset();
            _pendingWrite = buffer;
            _writePending = true;
            schedule = ScheduleIfSendable();
        }

        if (schedule)
        {
            _session.EnqueueReady(this);
        }

        var pending = _writeCompletion.Wait(version);
        return cancellationToken.CanBeCanceled ? AwaitWriteAsync(pending, cancellationToken) : pending;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitWriteAsync(ValueTask pending, CancellationToken cancellationToken)
    {
        // Part of a write may already be on the wire: giving up on it can only abort the stream.
        using var registration = cancellationToken.UnsafeRegister(static s => ((MuxadoStream)s!).Abort(), this);
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (MuxadoException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    /// <summary>
    /// Half-closes: FIN goes out after any pending write (on its last frame, or as an empty DATA
    /// frame). The peer reads end of stream; this side can go on reading. Calling it again, or after
    /// the stream ended, does nothing. Allowed during a graceful close, which waits for the FIN.
    /// </summary>
    public override void CompleteWrites()
    {
        bool schedule;
        lock (_lock)
        {
            if (_finRequested || _error is not null)
            {
                return;
            }

            _finRequested = true;
            schedule = ScheduleIfSendable();
        }

        if (schedule)
        {
            _session.EnqueueReady(this);
        }
    }

    /// <summary>Called by the session's reader for a WNDINC frame (increment already checked non-zero).</summary>
    internal void OnWindowIncrement(uint increment)
    {
        bool overflow;
        var schedule = false;
        lock (_lock)
        {
            if (_error is not null)
            {
                return;
            }

            _sendWindow += increment;
            // A window beyond 2^31 - 1 is impossible for an honest peer (HTTP/2 draws the same line).
            overflow = _sendWindow > int.MaxValue;
            if (!overflow)
            {
                schedule = ScheduleIfSendable();
            }
        }

        if (overflow)
        {
            Terminate(
                new MuxadoException(MuxadoErrorCode.FlowControlError, $"muxado stream {Id}: the peer's window increments overflow the window"),
                reset: MuxadoErrorCode.FlowControlError);
        }
        else if (schedule)
        {
            _session.EnqueueReady(this);
        }
    }

    /// <summary>True when the caller must put this stream on the writer's queue. Holds <c>_lock</c>.</summary>
    private bool ScheduleIfSendable()
    {
        if (_inReadyQueue || _error is not null)
        {
            return false;
        }

        var sendable = (_writePending && _sendWindow > 0) || (_finRequested && !_writePending && !_finSent);
        _inReadyQueue = sendable;
        return sendable;
    }

    /// <summary>
    /// Called only by the session's writer: writes at most one frame of this stream into
    /// <paramref name="output"/> and returns its size (0 when there was nothing it could send).
    /// Requeues itself while it has more to send and window to send it, so streams take turns.
    /// </summary>
    internal int WriteNextFrame(PipeWriter output)
    {
        int written;
        var completeWrite = false;
        var requeue = false;
        var retire = false;
        lock (_lock)
        {
            _inReadyQueue = false;
            if (_error is not null)
            {
                return 0; // ended: nothing may follow a reset; Terminate failed the pending write
            }

            var flags = _synSent ? MuxadoFrameFlags.None : MuxadoFrameFlags.Syn;
            if (_writePending)
            {
                var count = (int)Math.Min(Math.Min(_pendingWrite.Length, _sendWindow), MuxadoSession.MaxWriteFrame);
                if (count == 0)
                {
                    return 0; // parked until a WNDINC schedules it again
                }

                var last = count == _pendingWrite.Length;
                if (last && _finRequested)
                {
                    flags |= MuxadoFrameFlags.Fin;
                }

                written = MuxadoSession.WriteDataFrame(output, Id, flags, _pendingWrite.Span[..count]);
                _pendingWrite = _pendingWrite[count..];
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
            }
            else if (_finRequested && !_finSent)
            {
                flags |= MuxadoFrameFlags.Fin;
                written = MuxadoSession.WriteDataFrame(output, Id, flags, []);
            }
            else
            {
                return 0;
            }

            _synSent = true;
            if ((flags & MuxadoFrameFlags.Fin) != 0)
            {
                _finSent = true;
                retire = _remoteFin || _readsAbandoned;
            }
        }

        if (requeue)
        {
            _session.EnqueueReady(this);
        }

        if (completeWrite)
        {
            _writeCompletion.SetResult();
        }

        if (retire)
        {
            Retire();
        }

        return written;
    }
}

using Burrow.Mux.Errors;
using Burrow.Mux.Frames;
using Burrow.Mux.Streams;

namespace Burrow.Mux.Sessions;

// The graceful end: what was handed to the session before the close still leaves, Go Away goes
// last, and the peer gets the chance to read it before the transport closes. Every step is
// bounded by one deadline, so a peer that stopped reading cannot hold the close.
public sealed partial class MuxSession
{
    private int _draining;         // CloseAsync began: no new opens or writes; queued data and FINs still leave
    private int _finalFrameQueued; // the closing Go Away is queued: nothing may follow it on the wire
    private TaskCompletionSource? _sendsDrained;
    private TaskCompletionSource? _peerDone;

    /// <summary>True once <see cref="CloseAsync"/> began: new opens and writes are refused.</summary>
    internal bool IsDraining => Volatile.Read(ref _draining) == 1;

    /// <summary>
    /// Ends the session gracefully, within <paramref name="timeout"/>:
    /// <list type="number">
    /// <item>new streams are refused both ways (as after Go Away) and new writes fail with
    /// <see cref="MuxError.SessionClosing"/>;</item>
    /// <item>data already written and FINs already requested (<see cref="MuxStream.CompleteWrites"/>)
    /// leave, as far as the peer's windows allow;</item>
    /// <item>Go Away with <paramref name="code"/> goes out as the last frame and is flushed;</item>
    /// <item>the session waits for the peer to be done too (its own Go Away, or the end of the
    /// transport) so it reads everything, then closes the transport.</item>
    /// </list>
    /// Whatever is left when the deadline passes is dropped and the transport closed as
    /// <see cref="DisposeAsync"/> does.
    /// </summary>
    /// <param name="code">The Go Away code the peer sees: <see cref="GoAwayCode.Normal"/>, or why it is being cut off.</param>
    /// <param name="timeout">The bound on the whole close, from queued data to the transport closing.</param>
    /// <param name="cancellationToken">Cancelling closes at once, as <see cref="DisposeAsync"/>, and then throws.</param>
    /// <returns>True when every queued byte and FIN left before Go Away; false when the deadline cut them off or the session had already ended.</returns>
    public async Task<bool> CloseAsync(GoAwayCode code, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var started = Options.TimeProvider.GetTimestamp();
        var drainedSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var peerDoneSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (IsClosed || Interlocked.CompareExchange(ref _sendsDrained, drainedSignal, null) is not null)
        {
            // Ended already, or another close is under way: wait for it.
            await _completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        Volatile.Write(ref _peerDone, peerDoneSignal);
        Volatile.Write(ref _localGoAway, 1);
        Volatile.Write(ref _draining, 1);
        _signal.Set(); // the writer checks whether anything is left to send, even when idle

        var closeInfo = new MuxCloseInfo(MuxCloseReason.LocalClose, $"the session was closed by this side (Go Away {(uint)code})");
        bool drained;
        try
        {
            // :: Step 1: queued data and FINs leave.
            drained = await WaitUntilAsync(drainedSignal.Task, started, timeout, cancellationToken).ConfigureAwait(false);

            // :: Step 2: Go Away last. Nothing queued after this point reaches the wire.
            Volatile.Write(ref _finalFrameQueued, 1);
            Interlocked.Increment(ref _queuedControlFrames);
            _controlFrames.Enqueue(new FrameHeader(FrameType.GoAway, FrameFlags.None, 0, (uint)code));
            _signal.Set();

            // :: Step 3: the peer reads it and says it is done (Go Away, or closing the connection).
            if (IsRemoteGoingAway)
            {
                peerDoneSignal.TrySetResult();
            }

            await WaitUntilAsync(peerDoneSignal.Task, started, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Close(closeInfo, goAway: null, flushWithin: TimeSpan.Zero);
            await _completion.Task.ConfigureAwait(false);
            throw;
        }

        // :: Step 4: close the transport; the writer gets what is left of the deadline to flush.
        Close(closeInfo, goAway: null, flushWithin: Remaining(started, timeout));
        await _completion.Task.ConfigureAwait(false);
        return drained;
    }

    /// <summary>
    /// Called by the writer loop whenever it has sent all it could and is about to wait, while
    /// draining: signals the close once no stream holds unsent data or an unsent FIN.
    /// </summary>
    private void OnWriterIdleWhileDraining()
    {
        if (Volatile.Read(ref _sendsDrained) is not { } signal || signal.Task.IsCompleted)
        {
            return;
        }

        lock (_streamsLock)
        {
            foreach (var stream in _streams.Values)
            {
                if (stream.HasUnsentData)
                {
                    return;
                }
            }
        }

        signal.TrySetResult();
    }

    /// <summary>A stream's send side ended without sending (reset, abort): the writer must look again.</summary>
    internal void WakeWriterIfDraining()
    {
        if (IsDraining)
        {
            _signal.Set();
        }
    }

    /// <summary>The peer sent Go Away or closed the transport: a graceful close need not wait any longer.</summary>
    private void OnPeerDone() => Volatile.Read(ref _peerDone)?.TrySetResult();

    private async Task<bool> WaitUntilAsync(Task signal, long started, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAny(signal, _completion.Task)
                .WaitAsync(Remaining(started, timeout), Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            return signal.IsCompleted;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private TimeSpan Remaining(long started, TimeSpan timeout)
    {
        var left = timeout - Options.TimeProvider.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}

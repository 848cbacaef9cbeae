using System.Buffers.Binary;
using System.Text;

namespace Burrow.Mux.Muxado;

// How a session ends. Every end goes through End() once: it records why, fails every stream and
// waiter, and hands over to FinishAsync, which lets the writer put GOAWAY on the wire (when the end
// sends one), closes the transport and completes Completion. Each wait is bounded, so a peer that
// stopped reading cannot hold a session open.
public sealed partial class MuxadoSession
{
    // How long a GOAWAY after a protocol violation may take to leave before the transport closes.
    private static readonly TimeSpan ErrorFlushBound = TimeSpan.FromSeconds(1);

    // After the transport is closed the loops end at once; this only bounds a transport that
    // ignores being closed, so Completion always completes.
    private static readonly TimeSpan LoopExitBound = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _hurry = new(); // cut a graceful end short (dispose, cancelled close)
    private Ending? _ending;
    private int _draining;

    /// <summary>True once <see cref="CloseAsync"/> began: no new streams either way, no new writes.</summary>
    internal bool IsDraining => Volatile.Read(ref _draining) == 1;

    /// <summary>
    /// Ends the session gracefully, within <paramref name="timeout"/>:
    /// <list type="number">
    /// <item>new streams are refused both ways (opens throw, the peer's SYNs get RST
    /// <see cref="MuxadoErrorCode.StreamRefused"/>) and new writes throw;</item>
    /// <item>data already handed to <c>WriteAsync</c> and FINs already requested leave, as far as
    /// the peer's windows allow, for up to three quarters of the timeout;</item>
    /// <item>GOAWAY with <paramref name="code"/> goes out as the last frame and is flushed;</item>
    /// <item>the session keeps reading until the peer closes its end, for at most
    /// <see cref="MuxadoOptions.CloseLinger"/>, then closes the transport.</item>
    /// </list>
    /// A peer that neither reads nor hangs up costs the whole timeout: when it runs out, what is
    /// left (GOAWAY included, if it could not be written) is dropped and the transport closed.
    /// </summary>
    /// <param name="code">The GOAWAY code the peer sees: <see cref="MuxadoErrorCode.NoError"/>, or why it is being cut off.</param>
    /// <param name="timeout">The bound on the whole close, from queued data to the transport closing.</param>
    /// <param name="cancellationToken">Cancelling closes at once, as <see cref="DisposeAsync"/>, and then throws.</param>
    /// <returns>A task that completes once the transport is closed (when <see cref="Completion"/> does). If the session had already
    /// ended, or another close is under way, it waits for that.</returns>
    public async Task CloseAsync(MuxadoErrorCode code, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var started = Options.TimeProvider.GetTimestamp();
        if (IsEnded || Interlocked.Exchange(ref _draining, 1) == 1)
        {
            await _completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        _signal.Set(); // the writer looks whether anything is left to send, even when idle
        try
        {
            // :: Step 1: what was handed over leaves (the writer completes _drained when nothing is
            // left). It gets three quarters of the timeout: a stream stuck on a window that never
            // opens must not use up the time GOAWAY needs.
            await WaitWithinAsync(Task.WhenAny(_drained.Task, _completion.Task), Remaining(started, timeout - (timeout / 4)), cancellationToken).ConfigureAwait(false);

            // :: Step 2: GOAWAY last, then linger and close (FinishAsync).
            var left = Remaining(started, timeout);
            End(
                new MuxadoCloseInfo($"the session was closed by this side (GOAWAY {code})") { LocalGoAwayCode = code },
                MuxadoErrorCode.SessionClosed,
                codeIsRemote: false,
                goAway: code,
                flushWithin: left,
                lingerWithin: left < Options.CloseLinger ? left : Options.CloseLinger);
            await _completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Ends the session at once: closes the transport without GOAWAY, fails every stream (reads of
    /// data that arrived before the peer's FIN still succeed), drops whatever was not yet on the
    /// wire. Cuts short a <see cref="CloseAsync"/> under way. Safe to call more than once.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        End(new MuxadoCloseInfo("the session was disposed by this side"), MuxadoErrorCode.SessionClosed, codeIsRemote: false, goAway: null);
        await _hurry.CancelAsync().ConfigureAwait(false);
        await _completion.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the session once: records why, fails every stream and the accept queue, then lets
    /// FinishAsync close the transport. Later calls do nothing.
    /// </summary>
    /// <param name="info">What <see cref="Completion"/> reports.</param>
    /// <param name="streamCode">The code streams and later calls fail with.</param>
    /// <param name="codeIsRemote">Whether the peer chose that code.</param>
    /// <param name="goAway">The GOAWAY to send as the last frame, or null to send none.</param>
    /// <param name="goAwayDebug">Debug text for the GOAWAY.</param>
    /// <param name="flushWithin">How long the writer may take to put GOAWAY on the wire.</param>
    /// <param name="lingerWithin">How long to keep reading for the peer's end of stream before closing (graceful close only).</param>
    private void End(
        MuxadoCloseInfo info,
        MuxadoErrorCode streamCode,
        bool codeIsRemote,
        MuxadoErrorCode? goAway,
        string? goAwayDebug = null,
        TimeSpan flushWithin = default,
        TimeSpan lingerWithin = default)
    {
        var goAwayFrame = goAway is { } code ? EncodeGoAway(code, goAwayDebug) : null;
        var ending = new Ending(info, streamCode, codeIsRemote, goAwayFrame);
        if (Interlocked.CompareExchange(ref _ending, ending, null) is not null)
        {
            return;
        }

        _signal.Set();
        if (lingerWithin <= TimeSpan.Zero)
        {
            _input.CancelPendingRead();
        }

        MuxadoStream[] streams;
        lock (_streamsLock)
        {
            streams = [.. _streams.Values];
            _streams.Clear();
        }

        foreach (var stream in streams)
        {
            stream.OnSessionEnded(streamCode, info, codeIsRemote);
        }

        _acceptQueue.Writer.TryComplete();
        _ = FinishAsync(info, flushWithin, lingerWithin);
    }

    private async Task FinishAsync(MuxadoCloseInfo info, TimeSpan flushWithin, TimeSpan lingerWithin)
    {
        var started = Options.TimeProvider.GetTimestamp();
        try
        {
            // The writer puts GOAWAY on the wire, if this end sends one; a peer that stopped
            // reading does not hold us past the bound.
            if (!await CompletesWithinAsync(_writeLoop, flushWithin).ConfigureAwait(false))
            {
                _output.CancelPendingFlush();
            }

            // The reader discards until the peer closes its end (graceful close only), so the
            // transport is not closed on unread bytes, which would make TCP reset it.
            // The linger comes out of the same budget as the flush: the close's timeout bounds both.
            var linger = Remaining(started, flushWithin);
            if (lingerWithin < linger)
            {
                linger = lingerWithin;
            }

            if (linger > TimeSpan.Zero)
            {
                await CompletesWithinAsync(_readLoop, linger).ConfigureAwait(false);
            }

            _input.CancelPendingRead();
            if (_transport is not null)
            {
                await IgnoreFailureAsync(_transport.DisposeAsync()).ConfigureAwait(false);
            }

            await CompletesWithinAsync(Task.WhenAll(_readLoop, _writeLoop), LoopExitBound, hurry: false).ConfigureAwait(false);
            // Over a closed stream, completing may try to flush leftovers and fail; that is expected now.
            // Over a pipe, completing is what tells the peer the transport closed.
            await IgnoreFailureAsync(_input.CompleteAsync()).ConfigureAwait(false);
            await IgnoreFailureAsync(_output.CompleteAsync()).ConfigureAwait(false);
        }
        finally
        {
            _completion.TrySetResult(info);
        }
    }

    /// <summary>Called by the writer whenever it has sent all it could while draining: signals the close once nothing is left.</summary>
    private void CheckDrained()
    {
        if (_drained.Task.IsCompleted)
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

        _drained.TrySetResult();
    }

    /// <summary>A stream's send side settled (finished, reset, left the table): a graceful close may be waiting on it.</summary>
    internal void WakeWriterIfDraining()
    {
        if (IsDraining)
        {
            _signal.Set();
        }
    }

    private byte[] EncodeGoAway(MuxadoErrorCode code, string? debug)
    {
        // Debug text helps whoever reads the peer's logs; kept short, it is only a hint.
        var debugBytes = debug is null ? [] : Encoding.UTF8.GetBytes(debug.Length > 256 ? debug[..256] : debug);
        var frame = new byte[MuxadoFrameHeader.Size + MuxadoFrameHeader.GoAwayFixedLength + debugBytes.Length];
        new MuxadoFrameHeader(MuxadoFrameType.GoAway, MuxadoFrameFlags.None, 0, MuxadoFrameHeader.GoAwayFixedLength + debugBytes.Length).WriteTo(frame);
        uint lastRemoteId;
        lock (_streamsLock)
        {
            lastRemoteId = _lastRemoteId;
        }

        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(MuxadoFrameHeader.Size), lastRemoteId);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(MuxadoFrameHeader.Size + 4), (uint)code);
        debugBytes.CopyTo(frame, MuxadoFrameHeader.Size + MuxadoFrameHeader.GoAwayFixedLength);
        return frame;
    }

    /// <summary>True when <paramref name="task"/> completed within <paramref name="timeout"/> (and, with <paramref name="hurry"/>, before a dispose cut the wait short).</summary>
    private async Task<bool> CompletesWithinAsync(Task task, TimeSpan timeout, bool hurry = true)
    {
        if (task.IsCompleted)
        {
            return true;
        }

        if (timeout <= TimeSpan.Zero)
        {
            return false;
        }

        try
        {
            await task.WaitAsync(Clamp(timeout), Options.TimeProvider, hurry ? _hurry.Token : CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task WaitWithinAsync(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(Clamp(timeout), Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The deadline passed: the close goes on without what is left.
        }
    }

    /// <summary>Timers take at most about 24 days; a longer timeout is as good as none.</summary>
    private static TimeSpan Clamp(TimeSpan timeout) =>
        timeout > TimeSpan.FromMilliseconds(int.MaxValue) ? Timeout.InfiniteTimeSpan : timeout;

    private TimeSpan Remaining(long started, TimeSpan timeout)
    {
        var left = timeout - Options.TimeProvider.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private static async ValueTask IgnoreFailureAsync(ValueTask pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The session is over; the transport failing to close tidily changes nothing for anyone.
        }
    }

    /// <summary>Why and how the session ended; set once, read by every later call.</summary>
    /// <param name="Info">What Completion reports.</param>
    /// <param name="StreamCode">The code streams and calls fail with.</param>
    /// <param name="CodeIsRemote">Whether the peer chose it.</param>
    /// <param name="GoAway">The encoded GOAWAY the writer sends last, or null.</param>
    private sealed record Ending(MuxadoCloseInfo Info, MuxadoErrorCode StreamCode, bool CodeIsRemote, byte[]? GoAway);
}

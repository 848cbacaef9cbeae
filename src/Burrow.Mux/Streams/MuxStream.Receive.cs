using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Burrow.Mux.Errors;
using Burrow.Mux.Frames;
using Burrow.Mux.Sessions;

namespace Burrow.Mux.Streams;

// The receive direction: the session's reader copies payloads in, the user's reads copy them out,
// and window updates go back to the peer as the user consumes.
public sealed partial class MuxStream
{
    private readonly Pipe _recvPipe;
    private readonly Lock _recvLock = new();

    // Guarded by _recvLock.
    private long _recvWindow;          // bytes the peer may still send before it must wait
    private long _recvWindowTarget;    // the window this side advertises; grows by auto-tuning
    private long _consumedSinceUpdate; // bytes read by the user but not yet given back to the peer
    private long _epochStart;          // when the last window update went out (timestamp)
    private bool _discarding;          // the user stopped reading: payloads are dropped and their window returned
    private bool _receiveEnded;        // the receive pipe's writer is completed

    private int _remoteFin;
    private int _readActive;

    /// <summary>The window the peer currently has towards this stream (for tests and diagnostics).</summary>
    internal long ReceiveWindowTarget
    {
        get
        {
            lock (_recvLock)
            {
                return _recvWindowTarget;
            }
        }
    }

    /// <summary>Bytes the peer may still send on this stream before it must wait for a window update.</summary>
    internal long ReceiveWindowRemaining
    {
        get
        {
            lock (_recvLock)
            {
                return _recvWindow;
            }
        }
    }

    /// <summary>Called by the session's reader for a Data frame's payload (possibly empty).</summary>
    internal void OnData(in ReadOnlySequence<byte> payload)
    {
        var length = payload.Length;
        uint giveBack = 0;
        lock (_recvLock)
        {
            if (length > _recvWindow)
            {
                throw new MuxProtocolException(
                    GoAwayCode.ProtocolError,
                    $"stream {Id}: {length} bytes of data exceed the receive window of {_recvWindow}");
            }

            _recvWindow -= length;
            if (length == 0)
            {
                return;
            }

            if (_discarding)
            {
                // Nobody will read these bytes; return their window at once so the peer can finish.
                _recvWindow += length;
                giveBack = (uint)length;
            }
            else if (!_receiveEnded)
            {
                var writer = _recvPipe.Writer;
                foreach (var segment in payload)
                {
                    writer.Write(segment.Span);
                }

                CompleteSynchronously(writer.FlushAsync());
            }
        }

        if (giveBack > 0)
        {
            _session.EnqueueControl(new FrameHeader(FrameType.WindowUpdate, FrameFlags.None, Id, giveBack));
        }
    }

    /// <summary>Called by the session's reader when the peer half-closes (FIN).</summary>
    internal void OnRemoteFin()
    {
        if (Interlocked.Exchange(ref _remoteFin, 1) == 1)
        {
            return;
        }

        lock (_recvLock)
        {
            if (!_receiveEnded)
            {
                _receiveEnded = true;
                _recvPipe.Writer.Complete();
            }
        }

        if (Volatile.Read(ref _disposed) == 1)
        {
            _readsClosed.TrySetResult();
        }

        TryRetire();
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (Volatile.Read(ref _terminalError) is { } terminal && Volatile.Read(ref _remoteFin) == 0)
        {
            // The same publication point the send side checks, so a write that saw the reset
            // is never followed by a read that did not (FailReceive may still be on its way).
            return ValueTask.FromException<int>(terminal);
        }

        if (Interlocked.Exchange(ref _readActive, 1) == 1)
        {
            throw new InvalidOperationException("Another read is already pending on this stream.");
        }

        var read = _recvPipe.Reader.ReadAsync(cancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            // The common case under load: data is already buffered, no state machine needed.
            try
            {
                return new ValueTask<int>(ConsumeInto(read.GetAwaiter().GetResult(), buffer));
            }
            catch (MuxException ex)
            {
                return ValueTask.FromException<int>(ex);
            }
        }

        return ReadSlowAsync(read, buffer, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadSlowAsync(ValueTask<ReadResult> pending, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ReadResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // QuicStream semantics: giving up on a read aborts the stream.
            Volatile.Write(ref _readActive, 0);
            Abort();
            throw;
        }
        catch (Exception ex) when (ex is not MuxException)
        {
            Volatile.Write(ref _readActive, 0);
            throw TerminalErrorOrClosed();
        }
        catch
        {
            Volatile.Write(ref _readActive, 0);
            throw;
        }

        return ConsumeInto(result, buffer);
    }

    private int ConsumeInto(ReadResult result, Memory<byte> destination)
    {
        try
        {
            var reader = _recvPipe.Reader;
            if (result.IsCanceled)
            {
                reader.AdvanceTo(result.Buffer.Start);
                throw TerminalErrorOrClosed();
            }

            var available = result.Buffer;
            if (available.IsEmpty)
            {
                reader.AdvanceTo(available.End);
                if (result.IsCompleted)
                {
                    _readsClosed.TrySetResult();
                }

                return 0;
            }

            if (destination.IsEmpty)
            {
                // A zero-byte read: report that data is waiting without consuming it.
                reader.AdvanceTo(available.Start);
                return 0;
            }

            var count = (int)Math.Min(available.Length, destination.Length);
            available.Slice(0, count).CopyTo(destination.Span);
            reader.AdvanceTo(available.GetPosition(count));
            OnConsumed(count);
            return count;
        }
        finally
        {
            Volatile.Write(ref _readActive, 0);
        }
    }

    /// <summary>
    /// Gives consumed bytes back to the peer. Updates go out once half the window is consumed,
    /// like yamux; and when a whole window drains within a few round trips, the window doubles
    /// (up to <see cref="MuxOptions.MaxStreamWindow"/>) so one stream can fill a long fat link.
    /// The growth rule is quic-go's receive-window auto-tuning.
    /// </summary>
    private void OnConsumed(int count)
    {
        uint delta;
        lock (_recvLock)
        {
            _consumedSinceUpdate += count;
            if (_consumedSinceUpdate < _recvWindowTarget / 2 || _discarding)
            {
                return;
            }

            var now = _session.Now;
            var rtt = _session.SmoothedRttTicks;
            var grown = 0L;
            if (rtt > 0 && _recvWindowTarget < _session.Options.MaxStreamWindow)
            {
                var fraction = (double)_consumedSinceUpdate / _recvWindowTarget;
                var elapsed = now - _epochStart;
                if (elapsed < 4 * fraction * rtt)
                {
                    grown = Math.Min(_recvWindowTarget, _session.Options.MaxStreamWindow - _recvWindowTarget);
                    _recvWindowTarget += grown;
                }
            }

            delta = (uint)(_consumedSinceUpdate + grown);
            _recvWindow += delta;
            _consumedSinceUpdate = 0;
            _epochStart = now;
        }

        _session.EnqueueControl(new FrameHeader(FrameType.WindowUpdate, FrameFlags.None, Id, delta), inline: true);
    }

    /// <summary>The user is done reading (dispose): drop what is buffered and what still comes.</summary>
    private void StopReading()
    {
        long returned;
        lock (_recvLock)
        {
            _discarding = true;
            // Whatever sat unread and unacknowledged goes back to the peer, so it is never stuck.
            returned = _recvWindowTarget - _recvWindow;
            _recvWindow = _recvWindowTarget;
            _consumedSinceUpdate = 0;
            if (!_receiveEnded)
            {
                _receiveEnded = true;
                _recvPipe.Writer.Complete();
            }
        }

        _recvPipe.Reader.Complete();
        if (returned > 0 && Volatile.Read(ref _remoteFin) == 0 && Volatile.Read(ref _terminated) == 0)
        {
            _session.EnqueueControl(new FrameHeader(FrameType.WindowUpdate, FrameFlags.None, Id, (uint)returned));
        }

        if (Volatile.Read(ref _remoteFin) == 1 || Volatile.Read(ref _terminated) == 1)
        {
            _readsClosed.TrySetResult();
        }
    }

    private void FailReceive(Exception error)
    {
        lock (_recvLock)
        {
            _discarding = true;
            // After the peer's FIN every byte has arrived: it stays readable, as in QUIC's
            // "data received" state. Otherwise the error replaces whatever is buffered, as in yamux.
            if (!_receiveEnded)
            {
                _receiveEnded = true;
                _recvPipe.Writer.Complete(error);
            }
        }

        if (Volatile.Read(ref _remoteFin) == 1)
        {
            _readsClosed.TrySetResult();
        }
        else
        {
            FailObserved(_readsClosed, error);
        }
    }

    private static void CompleteSynchronously(ValueTask<FlushResult> flush)
    {
        // With no pause threshold a flush never waits; observe it so it is not left dangling.
        if (!flush.IsCompleted)
        {
            throw new InvalidOperationException("A receive pipe flush was expected to complete at once.");
        }

        flush.GetAwaiter().GetResult();
    }
}

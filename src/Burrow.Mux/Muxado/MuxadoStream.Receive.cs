using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Burrow.Mux.Buffers;

namespace Burrow.Mux.Muxado;

// The receive direction: the session's reader copies payloads into a pipe bounded by the window,
// the user's reads copy them out, and WNDINC goes back to the peer as the user consumes.
public sealed partial class MuxadoStream
{
    // Consumed bytes are given back once a quarter window has gathered. Go's muxado sends WNDINC
    // on every read; batching sends a quarter as many frames for bulk data, and the peer cannot
    // stall on it: it waits only once a whole window is unacknowledged, and a reader that drains
    // that has consumed far more than a quarter.
    internal const int WindowUpdateThreshold = MuxadoOptions.Window / 4;

    private const int ReadIdle = 0;
    private const int ReadActive = 1;
    private const int ReaderCompleted = 2;

    private static readonly PipeOptions ReceivePipeOptions = new(
        pool: BlockMemoryPool.Instance,
        // A read's continuation must not run on the session's reader loop, whatever it does next.
        readerScheduler: PipeScheduler.ThreadPool,
        writerScheduler: PipeScheduler.Inline,
        // No pause: the window, not the pipe, bounds what is buffered, and the session's reader
        // must never wait on one slow stream.
        pauseWriterThreshold: 0,
        resumeWriterThreshold: 0,
        minimumSegmentSize: BlockMemoryPool.DefaultBlockSize,
        useSynchronizationContext: false);

    private readonly Pipe _recvPipe;

    // Guarded by _lock.
    private long _recvWindow = MuxadoOptions.Window; // bytes the peer may still send
    private int _unacknowledged;                      // consumed by the user, not yet given back
    private bool _remoteFin;
    private bool _recvCompleted;                      // the pipe's writer is completed
    private bool _readsAbandoned;                     // disposed: nobody reads any more

    // ReadIdle, ReadActive, or ReaderCompleted (the pipe's reader is completed; only after dispose).
    private int _readState;

    /// <summary>Called by the session's reader for a DATA frame (possibly empty, possibly carrying FIN).</summary>
    internal void OnData(in ReadOnlySequence<byte> payload, bool fin)
    {
        var length = payload.Length;
        MuxadoErrorCode? fault = null;
        var retire = false;
        lock (_lock)
        {
            if (_error is not null)
            {
                return; // the stream ended; the peer has been or will be told
            }

            if (length > 0 && (_remoteFin || _readsAbandoned))
            {
                // Data after the peer's FIN, or after this side closed: muxado answers StreamClosed.
                fault = MuxadoErrorCode.StreamClosed;
            }
            else if (length > _recvWindow)
            {
                fault = MuxadoErrorCode.FlowControlError;
            }
            else
            {
                _recvWindow -= length;
                if (length > 0)
                {
                    var writer = _recvPipe.Writer;
                    foreach (var segment in payload)
                    {
                        writer.Write(segment.Span);
                    }

                    CompleteSynchronously(writer.FlushAsync());
                }

                if (fin && !_remoteFin)
                {
                    _remoteFin = true;
                    if (!_recvCompleted)
                    {
                        _recvCompleted = true;
                        _recvPipe.Writer.Complete();
                    }

                    retire = _finSent;
                }
            }
        }

        if (fault is { } code)
        {
            var message = code == MuxadoErrorCode.FlowControlError
                ? $"muxado stream {Id}: the peer sent {length} bytes beyond the window"
                : $"muxado stream {Id}: the peer sent data after the stream was closed";
            Terminate(new MuxadoException(code, message), reset: code);
        }
        else if (retire)
        {
            Retire();
        }
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        switch (Interlocked.CompareExchange(ref _readState, ReadActive, ReadIdle))
        {
            case ReadActive:
                throw new InvalidOperationException("Another read is already pending on this stream.");
            case ReaderCompleted:
                throw new ObjectDisposedException(ToString());
        }

        ValueTask<ReadResult> pending;
        try
        {
            pending = _recvPipe.Reader.ReadAsync(cancellationToken);
            if (pending.IsCompletedSuccessfully)
            {
                // The common case under load: data is already buffered, no state machine needed.
                return new ValueTask<int>(Consume(pending.Result, buffer));
            }
        }
        catch (Exception ex)
        {
            EndRead();
            return ValueTask.FromException<int>(ReadFailure(ex));
        }

        return ReadSlowAsync(pending, buffer, cancellationToken);
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
            EndRead();
            Abort();
            throw;
        }
        catch (Exception ex)
        {
            EndRead();
            throw ReadFailure(ex);
        }

        return Consume(result, buffer);
    }

    /// <summary>Copies out what the pipe holds and ends the read (also when copying throws).</summary>
    private int Consume(in ReadResult result, Memory<byte> destination)
    {
        try
        {
            var reader = _recvPipe.Reader;
            var available = result.Buffer;
            if (available.IsEmpty)
            {
                reader.AdvanceTo(available.End);
                return 0; // the pipe completed: the peer's FIN
            }

            if (destination.IsEmpty)
            {
                // A zero-byte read: report that data is waiting without taking it.
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
            EndRead();
        }
    }

    /// <summary>Counts consumed bytes and gives them back to the peer in batches (<see cref="WindowUpdateThreshold"/>).</summary>
    private void OnConsumed(int count)
    {
        int increment;
        lock (_lock)
        {
            // After the peer's FIN it sends nothing more: no window to give back.
            if (_error is not null || _remoteFin || _readsAbandoned)
            {
                return;
            }

            _unacknowledged += count;
            if (_unacknowledged < WindowUpdateThreshold)
            {
                return;
            }

            increment = _unacknowledged;
            _unacknowledged = 0;
            _recvWindow += increment;
        }

        _session.EnqueueControl(MuxadoControlFrame.WindowIncrement(Id, (uint)increment));
    }

    /// <summary>What a failed pipe read means to the caller: the stream's end, or disposal.</summary>
    private Exception ReadFailure(Exception pipeError)
    {
        if (pipeError is MuxadoException)
        {
            return pipeError;
        }

        if (Volatile.Read(ref _disposed) == 1)
        {
            return new ObjectDisposedException(ToString());
        }

        lock (_lock)
        {
            return _error ?? new MuxadoException(MuxadoErrorCode.StreamClosed, $"muxado stream {Id} is closed", pipeError);
        }
    }

    private void EndRead()
    {
        // A dispose that came during the read left completing the pipe's reader to us.
        if (Interlocked.CompareExchange(ref _readState, ReadIdle, ReadActive) == ReadActive && Volatile.Read(ref _disposed) == 1)
        {
            CompleteReaderIfIdle();
        }
    }

    private void CompleteReaderIfIdle()
    {
        if (Interlocked.CompareExchange(ref _readState, ReaderCompleted, ReadIdle) == ReadIdle)
        {
            _recvPipe.Reader.Complete(); // returns the buffered blocks to the pool
        }
    }

    /// <summary>The user is done reading (dispose after a clean finish): drop what is buffered and refuse what still comes.</summary>
    private void StopReading()
    {
        bool retire;
        lock (_lock)
        {
            _readsAbandoned = true;
            if (!_recvCompleted)
            {
                _recvCompleted = true;
                _recvPipe.Writer.Complete();
            }

            // Once the FIN is out nothing more is owed to the peer: the stream leaves the table now,
            // not when the peer's FIN comes (ngrok's clients do not half-close their RPC streams).
            retire = _finSent || _error is not null;
        }

        if (retire)
        {
            Retire();
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

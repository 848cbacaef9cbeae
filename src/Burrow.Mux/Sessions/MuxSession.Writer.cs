using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Burrow.Mux.Frames;
using Burrow.Mux.Streams;

namespace Burrow.Mux.Sessions;

// The single writer. Three queues feed it: frames without payload (window updates, pings, SYN,
// ACK, RST, Go Away), which go first so flow control and liveness never wait behind bulk data;
// streams with a small message to send (a request, a response, an echo: see MuxStream.SmallWrite),
// which go next so an interactive exchange does not wait for a turn behind every bulk stream;
// and streams with bulk data, served one frame at a time in turn so no stream starves another.
public sealed partial class MuxSession
{
    // Data is flushed to the transport at least this often while the queues stay busy, so the
    // peer starts receiving before a long burst ends; an idle moment always flushes.
    private const int FlushThreshold = 128 * 1024;

    // A batch of data smaller than this, found by the writer loop (not an inline caller), waits
    // for one turn of the thread pool before it is sent: what other streams queue meanwhile joins
    // it. Control frames alone (window updates, pings) never wait: peers are blocked on them.
    // With 16 concurrent 1 KiB requests through edge and agent this took 15-16k to 18-20k req/s
    // and 100 to 80 µs of CPU per request (bench/README.md); a bulk transfer's batches are larger.
    private const int GatherBelow = 16 * 1024;

    // With fewer streams open there is nobody to wait for: the hop would only delay the one
    // small message (an interactive stream beside a bulk one, say).
    private const int GatherMinStreams = 4;

    // Small messages go before bulk frames, but never more than this many in a row while bulk
    // waits: many streams writing small pieces back to back cannot starve a download.
    private const int SmallRunLimit = 16;

    private readonly ConcurrentQueue<FrameHeader> _controlFrames = new();
    private readonly ConcurrentQueue<MuxStream> _smallStreams = new();
    private readonly ConcurrentQueue<MuxStream> _readyStreams = new();
    private readonly WriterSignal _signal = new();
    private readonly ThreadPoolHop _writerHop = new();
    private int _queuedControlFrames;

    /// <summary>Queues a frame without payload. A peer that makes us queue too many without reading ends the session.</summary>
    /// <param name="header">The frame.</param>
    /// <param name="inline">Whether the caller may run the writer itself when it is idle (see <see cref="WriterSignal.Set"/>); only from a user's call, never under a lock.</param>
    internal void EnqueueControl(in FrameHeader header, bool inline = false)
    {
        if (Volatile.Read(ref _finalFrameQueued) == 1)
        {
            return; // a graceful close queued Go Away as the last frame
        }

        if (Interlocked.Increment(ref _queuedControlFrames) > Options.MaxQueuedControlFrames)
        {
            Interlocked.Decrement(ref _queuedControlFrames);
            Close(new MuxCloseInfo(
                MuxCloseReason.InternalError,
                $"more than {Options.MaxQueuedControlFrames} control frames are waiting to be sent; the peer is not reading (MuxOptions.MaxQueuedControlFrames)"),
                GoAwayCode.InternalError);
            return;
        }

        _controlFrames.Enqueue(header);
        _signal.Set(inline);
    }

    private void EnqueueControlUnbounded(in FrameHeader header)
    {
        if (Volatile.Read(ref _finalFrameQueued) == 1)
        {
            return;
        }

        Interlocked.Increment(ref _queuedControlFrames);
        _controlFrames.Enqueue(header);
        _signal.Set();
    }

    /// <summary>Puts a stream that has data or a FIN to send on one of the writer's queues.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="inline">Whether the caller may run the writer itself when it is idle (see <see cref="WriterSignal.Set"/>); only from a user's call, never under a lock.</param>
    /// <param name="small">Whether all it has to send fits one small frame: it goes before bulk streams.</param>
    internal void EnqueueReady(MuxStream stream, bool inline = false, bool small = false)
    {
        (small ? _smallStreams : _readyStreams).Enqueue(stream);
        _signal.Set(inline);
    }

    private bool TryDequeueStream(ref int smallRun, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MuxStream? stream)
    {
        if (smallRun < SmallRunLimit && _smallStreams.TryDequeue(out stream))
        {
            smallRun++;
            return true;
        }

        smallRun = 0;
        return _readyStreams.TryDequeue(out stream) || _smallStreams.TryDequeue(out stream);
    }

    private int WriteQueuedControlFrames()
    {
        var written = 0;
        while (_controlFrames.TryDequeue(out var header))
        {
            Interlocked.Decrement(ref _queuedControlFrames);
            WriteHeader(_output, header);
            written += FrameHeader.Size;
        }

        return written;
    }

    internal static void WriteHeader(PipeWriter output, in FrameHeader header)
    {
        header.WriteTo(output.GetSpan(FrameHeader.Size));
        output.Advance(FrameHeader.Size);
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            // True while the loop runs on the thread of a caller that woke it inline (a user's
            // write): that caller gets its thread back as soon as its own frames are out.
            var onCallerThread = false;
            var smallRun = 0;
            while (true)
            {
                var unflushed = 0;
                var carriesData = false;
                var gathered = false;
                while (true)
                {
                    if (WriteQueuedControlFrames() is > 0 and var control)
                    {
                        unflushed += control;
                    }
                    else if (!IsClosed && Volatile.Read(ref _finalFrameQueued) == 0 && TryDequeueStream(ref smallRun, out var stream))
                    {
                        // A new stream's SYN is queued before the stream can be on a ready queue,
                        // but it may have been queued after the look at the control queue above
                        // (this loop preempted between the two): send it first, or the peer gets
                        // data for a stream it never saw opened and ends the session.
                        unflushed += WriteQueuedControlFrames();
                        var written = stream.WriteNextFrame(_output, Options.MaxFrameSizeWrite, Now);
                        unflushed += written;
                        carriesData |= written > FrameHeader.Size;
                    }
                    else if (carriesData && unflushed < GatherBelow && !gathered && !onCallerThread && StreamCount >= GatherMinStreams)
                    {
                        // A small batch: let the thread pool run what is already queued (other
                        // streams' requests and responses, mostly) before sending, so one send
                        // and one wake-up of the peer carry several of them.
                        gathered = true;
                        await _writerHop;
                        continue;
                    }
                    else
                    {
                        break;
                    }

                    if (unflushed >= FlushThreshold)
                    {
                        if (!await FlushAsync().ConfigureAwait(false))
                        {
                            return;
                        }

                        unflushed = 0;
                        if (onCallerThread)
                        {
                            // A caller's inline pass sends at most one batch; a huge write goes on
                            // in the pool, where it takes turns like any other work.
                            onCallerThread = false;
                            await _writerHop;
                        }
                    }
                }

                if (unflushed > 0 && !await FlushAsync().ConfigureAwait(false))
                {
                    return;
                }

                if (IsClosed && _controlFrames.IsEmpty)
                {
                    return;
                }

                if (IsDraining)
                {
                    OnWriterIdleWhileDraining();
                }

                var wait = _signal.WaitAsync();
                if (!wait.IsCompleted)
                {
                    onCallerThread = await wait.ConfigureAwait(false);
                }
                else if (onCallerThread)
                {
                    // More work came in while this caller did its own: the rest is the pool's,
                    // or one busy caller would carry every other stream's frames (a convoy).
                    onCallerThread = false;
                    await _writerHop;
                }
            }
        }
        catch (Exception ex) when (!IsClosed)
        {
            Close(new MuxCloseInfo(MuxCloseReason.TransportError, $"writing to the transport failed: {ex.Message}", ex), goAway: null);
        }
        catch (Exception) when (IsClosed)
        {
            // The transport was closed under the loop on purpose.
        }
    }

    // Pooled: a flush that waits (the transport applying backpressure) would otherwise allocate
    // its state machine every time; the alloc benchmark saw ~120 bytes per MiB over a pipe.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FlushAsync()
    {
        var result = await _output.FlushAsync().ConfigureAwait(false);
        if (result.IsCompleted && !IsClosed)
        {
            Close(new MuxCloseInfo(MuxCloseReason.TransportClosed, "the transport stopped accepting writes"), goAway: null);
        }

        return !result.IsCompleted && !result.IsCanceled;
    }
}

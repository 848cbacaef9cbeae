using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using Burrow.Mux.Sessions;

namespace Burrow.Mux.Muxado;

// The single writer: the only code that touches the transport's output. Two queues feed it:
// control frames (RST, WNDINC), which go first so flow control never waits behind bulk data; and
// streams with data or a FIN to send, served one frame at a time in turn so no stream starves
// another. GOAWAY is not queued: it is part of how the session ends, and the writer writes it
// last and stops.
public sealed partial class MuxadoSession
{
    // Bytes of frames written into the output before a flush even while more is queued, so the
    // peer starts receiving before a long burst ends; an idle moment always flushes. The yamux
    // writer's figure (MuxSession.FlushThreshold), which matches the transport's write blocks.
    private const int FlushThreshold = 128 * 1024;

    // Largest DATA payload written in one frame. Muxado peers accept any size up to the window
    // (Go's muxado sends a whole window at once), but smaller frames let streams take turns more
    // finely; 64 KiB is what the yamux writer settled on (bench/README.md).
    internal const int MaxWriteFrame = 64 * 1024;

    // A peer that makes the reader queue replies (RST for data on unknown streams, say) faster
    // than it reads them ends the session (EnhanceYourCalm) before the queue grows without bound.
    private const int MaxQueuedControlFrames = 16 * 1024;

    private readonly ConcurrentQueue<MuxadoControlFrame> _controlFrames = new();
    private readonly ConcurrentQueue<MuxadoStream> _readyStreams = new();
    private readonly WriterSignal _signal = new();
    private int _queuedControlFrames;

    /// <summary>Queues an RST or WNDINC ahead of stream data. Lock-free: callable under any lock.</summary>
    internal void EnqueueControl(in MuxadoControlFrame frame)
    {
        Interlocked.Increment(ref _queuedControlFrames);
        _controlFrames.Enqueue(frame);
        _signal.Set();
    }

    /// <summary>Puts a stream that has a frame to send on the writer's queue. Lock-free.</summary>
    internal void EnqueueReady(MuxadoStream stream)
    {
        _readyStreams.Enqueue(stream);
        _signal.Set();
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                var unflushed = 0;
                while (true)
                {
                    var written = WriteControlFrames();
                    if (written == 0)
                    {
                        // Once the session ends its streams have failed; only GOAWAY may follow.
                        if (IsEnded || !_readyStreams.TryDequeue(out var stream))
                        {
                            break;
                        }

                        written = stream.WriteNextFrame(_output);
                    }

                    unflushed += written;
                    if (unflushed >= FlushThreshold)
                    {
                        if (!await FlushAsync().ConfigureAwait(false))
                        {
                            return;
                        }

                        unflushed = 0;
                    }
                }

                if (unflushed > 0 && !await FlushAsync().ConfigureAwait(false))
                {
                    return;
                }

                if (Volatile.Read(ref _ending) is { } ending)
                {
                    if (ending.GoAway is { } goAway)
                    {
                        // The last frame on the wire: ngrok's v2 agent reads 8 bytes beyond a
                        // GOAWAY, so anything after it would be taken as part of it.
                        WriteControlFrames();
                        _output.Write(goAway);
                        await FlushAsync().ConfigureAwait(false);
                    }

                    return;
                }

                if (IsDraining)
                {
                    CheckDrained();
                }

                await _signal.WaitAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!IsEnded)
        {
            End(new MuxadoCloseInfo($"writing to the transport failed: {ex.Message}", Exception: ex), MuxadoErrorCode.SessionClosed, codeIsRemote: false, goAway: null);
        }
        catch (Exception) when (IsEnded)
        {
            // The transport was closed under the loop on purpose.
        }
    }

    private int WriteControlFrames()
    {
        var written = 0;
        while (_controlFrames.TryDequeue(out var frame))
        {
            Interlocked.Decrement(ref _queuedControlFrames);
            frame.WriteTo(_output.GetSpan(MuxadoControlFrame.Size));
            _output.Advance(MuxadoControlFrame.Size);
            written += MuxadoControlFrame.Size;
        }

        return written;
    }

    /// <summary>Writes one DATA frame (header and payload) into the output; called by streams from <see cref="MuxadoStream.WriteNextFrame"/>.</summary>
    internal static int WriteDataFrame(PipeWriter output, uint streamId, MuxadoFrameFlags flags, ReadOnlySpan<byte> payload)
    {
        new MuxadoFrameHeader(MuxadoFrameType.Data, flags, streamId, payload.Length).WriteTo(output.GetSpan(MuxadoFrameHeader.Size));
        output.Advance(MuxadoFrameHeader.Size);
        output.Write(payload);
        return MuxadoFrameHeader.Size + payload.Length;
    }

    private async ValueTask<bool> FlushAsync()
    {
        var result = await _output.FlushAsync().ConfigureAwait(false);
        if (result.IsCompleted && !IsEnded)
        {
            End(new MuxadoCloseInfo("the transport stopped accepting writes"), MuxadoErrorCode.SessionClosed, codeIsRemote: false, goAway: null);
        }

        return !result.IsCompleted && !result.IsCanceled;
    }
}

using System.Buffers;
using Burrow.Mux.Errors;
using Burrow.Mux.Frames;
using Burrow.Mux.Streams;

namespace Burrow.Mux.Sessions;

// The reader loop: parse frames from the transport and dispatch them. Nothing here waits on a
// stream's consumer; payloads are copied into the stream's buffer, bounded by its window.
public sealed partial class MuxSession
{
    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled || IsClosed)
                {
                    return;
                }

                var buffer = result.Buffer;
                ProcessFrames(ref buffer);
                _input.AdvanceTo(buffer.Start, buffer.End);

                if (result.IsCompleted)
                {
                    var message = buffer.IsEmpty
                        ? "the peer closed the connection"
                        : $"the peer closed the connection in the middle of a frame ({buffer.Length} bytes left over)";
                    // During a graceful close this is the peer's answer to it, not a lost connection.
                    Close(IsDraining ? new MuxCloseInfo(MuxCloseReason.LocalClose, $"the session was closed by this side, then {message}") : new MuxCloseInfo(MuxCloseReason.TransportClosed, message), goAway: null);
                    return;
                }
            }
        }
        catch (MuxProtocolException ex)
        {
            Close(new MuxCloseInfo(MuxCloseReason.ProtocolError, ex.Message, ex), ex.Code);
        }
        catch (Exception ex) when (!IsClosed)
        {
            Close(new MuxCloseInfo(MuxCloseReason.TransportError, $"reading the transport failed: {ex.Message}", ex), goAway: null);
        }
        catch (Exception) when (IsClosed)
        {
            // The transport was closed under the loop on purpose.
        }
    }

    /// <summary>Dispatches every whole frame in <paramref name="buffer"/> and trims it to what is left.</summary>
    private void ProcessFrames(ref ReadOnlySequence<byte> buffer)
    {
        // A frame can end the session (a fatal Go Away, an overflowing control queue); what is
        // behind it in the same buffer must not be dispatched into the ended session.
        while (!IsClosed && FrameHeader.TryRead(buffer, out var header))
        {
            if (header.Type == FrameType.Data)
            {
                if (header.Length > Options.MaxFrameSizeRead)
                {
                    throw new MuxProtocolException(GoAwayCode.ProtocolError, $"a data frame of {header.Length} bytes exceeds the maximum of {Options.MaxFrameSizeRead} (MuxOptions.MaxFrameSizeRead)");
                }

                var frameLength = FrameHeader.Size + (long)header.Length;
                if (buffer.Length < frameLength)
                {
                    // Before buffering a large payload, make sure the stream could take it at all.
                    RejectDataBeyondWindow(header);
                    break; // the payload has not all arrived yet
                }

                OnDataOrWindowFrame(header, buffer.Slice(FrameHeader.Size, header.Length));
                buffer = buffer.Slice(frameLength);
            }
            else
            {
                switch (header.Type)
                {
                    case FrameType.WindowUpdate:
                        OnDataOrWindowFrame(header, ReadOnlySequence<byte>.Empty);
                        break;
                    case FrameType.Ping:
                        OnPing(header);
                        break;
                    default:
                        OnGoAway(header);
                        break;
                }

                buffer = buffer.Slice(FrameHeader.Size);
            }
        }
    }

    private void RejectDataBeyondWindow(in FrameHeader header)
    {
        MuxStream? stream;
        lock (_streamsLock)
        {
            _streams.TryGetValue(header.StreamId, out stream);
        }

        // A stream that has ended may still get frames the peer sent before it knew; those are
        // bounded by MaxFrameSizeRead only, and drained.
        var window = stream?.ReceiveWindowRemaining ?? long.MaxValue;
        if (header.Length > window)
        {
            throw new MuxProtocolException(GoAwayCode.ProtocolError, $"stream {header.StreamId}: {header.Length} bytes of data exceed the receive window of {window}");
        }
    }

    private void OnDataOrWindowFrame(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        var stream = FindStream(header);
        if (stream is null)
        {
            return; // a late frame for a stream that has ended: yamux drains and ignores it
        }

        // Any frame from the peer on a stream we opened proves it was accepted. Go's yamux sends
        // no ACK at all when our FIN reached it before its application accepted the stream.
        var flags = header.Flags;
        if (stream.IsOutbound)
        {
            stream.OnAcked();
        }

        if (header.Type == FrameType.Data)
        {
            stream.OnData(payload);
        }
        else
        {
            stream.OnWindowUpdate(header.Length);
        }

        if ((flags & FrameFlags.Fin) != 0)
        {
            stream.OnRemoteFin();
        }

        if ((flags & FrameFlags.Rst) != 0)
        {
            stream.OnRemoteReset();
        }
    }

    /// <summary>
    /// The stream a Data or Window Update frame is for, a new one when it carries SYN, or null for a
    /// stream that existed and has ended. Throws for ids the peer could not legitimately use.
    /// </summary>
    private MuxStream? FindStream(in FrameHeader header)
    {
        var id = header.StreamId;
        var isSyn = (header.Flags & FrameFlags.Syn) != 0;
        lock (_streamsLock)
        {
            if (_streams.TryGetValue(id, out var existing))
            {
                if (isSyn)
                {
                    throw new MuxProtocolException(GoAwayCode.ProtocolError, $"duplicate SYN for live stream {id}");
                }

                return existing;
            }

            if (id == 0)
            {
                throw new MuxProtocolException(GoAwayCode.ProtocolError, $"{header.Type} frame on stream 0, which belongs to the session");
            }

            var isOurs = (id % 2 == 1) == _isClient;
            if (isSyn)
            {
                if (isOurs)
                {
                    throw new MuxProtocolException(GoAwayCode.ProtocolError, $"SYN for stream {id}, an id only this side may open");
                }

                return AcceptIncoming(id);
            }

            var neverOpened = isOurs ? id >= _nextStreamId : id > _highestRemoteId;
            if (neverOpened)
            {
                throw new MuxProtocolException(GoAwayCode.ProtocolError, $"{header.Type} frame for stream {id}, which was never opened");
            }

            return null;
        }
    }

    /// <summary>Registers a stream the peer opened, or refuses it with RST. Holds _streamsLock.</summary>
    private MuxStream? AcceptIncoming(uint id)
    {
        _highestRemoteId = Math.Max(_highestRemoteId, id);
        if (IsClosed)
        {
            // Close already emptied the table (it marks the session closed before taking the
            // lock); a stream added now would never be failed or retired.
            return null;
        }

        var refuse = Volatile.Read(ref _localGoAway) == 1
            || _unacceptedCount >= Options.AcceptBacklog
            || _streams.Count >= Options.MaxConcurrentStreams;
        if (refuse)
        {
            EnqueueControl(new FrameHeader(FrameType.WindowUpdate, FrameFlags.Rst, id, 0));
            return null;
        }

        var stream = new MuxStream(this, id, isOutbound: false, Now);
        _streams.Add(id, stream);
        Options.Counters?.StreamOpened();
        _unacceptedCount++;
        _acceptQueue.Writer.TryWrite(stream);
        return stream;
    }

    private void OnGoAway(in FrameHeader header)
    {
        RequireSessionFrame(header);
        var code = (GoAwayCode)header.Length;
        Volatile.Write(ref _remoteGoAway, 1);
        OnPeerDone();
        if (code != GoAwayCode.Normal)
        {
            var message = code switch
            {
                GoAwayCode.ProtocolError => "the peer ended the session: it says this side broke the protocol (Go Away 1)",
                GoAwayCode.InternalError => "the peer ended the session after an internal error (Go Away 2)",
                _ => $"the peer ended the session with unknown Go Away code {header.Length}",
            };
            Close(new MuxCloseInfo(MuxCloseReason.RemoteGoAway, message), goAway: null);
        }
    }

    private static void RequireSessionFrame(in FrameHeader header)
    {
        if (header.StreamId != 0)
        {
            throw new MuxProtocolException(GoAwayCode.ProtocolError, $"{header.Type} frame on stream {header.StreamId}; it belongs on stream 0");
        }
    }
}

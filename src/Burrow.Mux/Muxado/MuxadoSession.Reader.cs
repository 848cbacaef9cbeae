using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Burrow.Mux.Muxado;

// The reader loop: parse frames from the transport and dispatch them. Payloads are copied into
// their stream's buffer, bounded by its window; nothing here waits on a stream's consumer or on
// the writer. A violation of the session's rules throws MuxadoProtocolException, which ends the
// session with GOAWAY; a stream's own fault resets only that stream.
public sealed partial class MuxadoSession
{
    // Debug text kept from a peer's GOAWAY; the rest is skipped.
    private const int MaxGoAwayDebug = 1024;

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                if (IsEnded)
                {
                    // A graceful close lingers here, discarding, until the peer closes its end.
                    _input.AdvanceTo(buffer.End);
                    if (result.IsCompleted || result.IsCanceled)
                    {
                        return;
                    }

                    continue;
                }

                ProcessFrames(ref buffer);
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    var message = buffer.IsEmpty
                        ? "the peer closed the connection"
                        : $"the peer closed the connection in the middle of a frame ({buffer.Length} bytes left over)";
                    End(new MuxadoCloseInfo(message), MuxadoErrorCode.PeerEOF, codeIsRemote: false, goAway: null);
                    return;
                }

                if (result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (MuxadoProtocolException ex)
        {
            End(
                new MuxadoCloseInfo($"the peer broke the muxado protocol: {ex.Message}", Exception: ex) { LocalGoAwayCode = ex.Code },
                ex.Code,
                codeIsRemote: false,
                goAway: ex.Code,
                goAwayDebug: ex.Message,
                flushWithin: ErrorFlushBound);
        }
        catch (Exception ex) when (!IsEnded)
        {
            End(new MuxadoCloseInfo($"reading the transport failed: {ex.Message}", Exception: ex), MuxadoErrorCode.SessionClosed, codeIsRemote: false, goAway: null);
        }
        catch (Exception) when (IsEnded)
        {
            // The transport was closed under the loop on purpose.
        }
    }

    /// <summary>Dispatches every whole frame in <paramref name="buffer"/> and trims it to what is left.</summary>
    private void ProcessFrames(ref ReadOnlySequence<byte> buffer)
    {
        // A frame can end the session (GOAWAY); what follows it must not be dispatched. (ngrok-rust
        // even writes 8 bytes beyond its GOAWAY's declared length.)
        while (!IsEnded && MuxadoFrameHeader.TryRead(buffer, out var header))
        {
            // Checked before waiting for the payload, so a bogus length never makes us buffer it.
            CheckHeader(header);
            var frameLength = MuxadoFrameHeader.Size + (long)header.Length;
            if (buffer.Length < frameLength)
            {
                break; // the payload has not all arrived yet
            }

            var payload = buffer.Slice(MuxadoFrameHeader.Size, header.Length);
            switch (header.Type)
            {
                case MuxadoFrameType.Data:
                    OnData(header, payload);
                    break;
                case MuxadoFrameType.Rst:
                    FindStream(header.StreamId)?.OnRemoteReset(ReadUInt32(payload, 0));
                    break;
                case MuxadoFrameType.WndInc:
                    OnWindowIncrement(header, payload);
                    break;
                default:
                    OnGoAway(payload);
                    break;
            }

            buffer = buffer.Slice(frameLength);
            if (Volatile.Read(ref _queuedControlFrames) > MaxQueuedControlFrames)
            {
                throw new MuxadoProtocolException(
                    MuxadoErrorCode.EnhanceYourCalm,
                    $"more than {MaxQueuedControlFrames} resets and window increments are waiting to be sent: the peer provokes replies and does not read them");
            }
        }
    }

    /// <summary>The checks a header can fail on its own, as Go's muxado framer makes them (sizes: FrameSizeError; stream ids and types: ProtocolError).</summary>
    private void CheckHeader(in MuxadoFrameHeader header)
    {
        if (header.Length > Options.MaxFramePayload)
        {
            throw new MuxadoProtocolException(
                MuxadoErrorCode.FrameSizeError,
                $"a {header.Type} frame of {header.Length} bytes exceeds the maximum of {Options.MaxFramePayload} (MuxadoOptions.MaxFramePayload)");
        }

        switch (header.Type)
        {
            case MuxadoFrameType.Data:
                RequireStreamId(header);
                break;
            case MuxadoFrameType.Rst:
                RequireLength(header, MuxadoFrameHeader.RstLength, exact: true);
                RequireStreamId(header);
                break;
            case MuxadoFrameType.WndInc:
                RequireLength(header, MuxadoFrameHeader.WndIncLength, exact: true);
                RequireStreamId(header);
                break;
            case MuxadoFrameType.GoAway:
                RequireLength(header, MuxadoFrameHeader.GoAwayFixedLength, exact: false);
                if (header.StreamId != 0)
                {
                    throw new MuxadoProtocolException(MuxadoErrorCode.ProtocolError, $"GOAWAY on stream {header.StreamId}; it belongs on stream 0");
                }

                break;
            default:
                // Go's muxado skips unknown types; ngrok-rust answers them with GOAWAY. No peer of
                // ours sends one, so it means the byte stream is not muxado (or is out of step).
                throw new MuxadoProtocolException(MuxadoErrorCode.ProtocolError, $"unknown frame type {(byte)header.Type}");
        }
    }

    private static void RequireStreamId(in MuxadoFrameHeader header)
    {
        if (header.StreamId == 0)
        {
            throw new MuxadoProtocolException(MuxadoErrorCode.ProtocolError, $"{header.Type} frame on stream 0, which no stream has");
        }
    }

    private static void RequireLength(in MuxadoFrameHeader header, int length, bool exact)
    {
        if (exact ? header.Length != length : header.Length < length)
        {
            throw new MuxadoProtocolException(
                MuxadoErrorCode.FrameSizeError,
                $"a {header.Type} frame must carry {(exact ? "exactly" : "at least")} {length} bytes, not {header.Length}");
        }
    }

    private void OnData(in MuxadoFrameHeader header, in ReadOnlySequence<byte> payload)
    {
        var fin = (header.Flags & MuxadoFrameFlags.Fin) != 0;
        var stream = (header.Flags & MuxadoFrameFlags.Syn) != 0 ? AcceptIncoming(header.StreamId) : FindStream(header.StreamId);
        if (stream is not null)
        {
            stream.OnData(payload, fin);
        }
        else if ((header.Flags & MuxadoFrameFlags.Syn) == 0 && !(header.Length == 0 && fin))
        {
            // Data for a stream that ended (or never was): tell the peer to stop, as muxado does.
            // A bare FIN is let go: the peer may close a stream this side has already forgotten.
            EnqueueControl(MuxadoControlFrame.Reset(header.StreamId, MuxadoErrorCode.StreamClosed));
        }
    }

    /// <summary>Registers the stream a SYN opens, or refuses it with RST; null when refused.</summary>
    private MuxadoStream? AcceptIncoming(uint id)
    {
        if (IsOurs(id))
        {
            throw new MuxadoProtocolException(MuxadoErrorCode.ProtocolError, $"SYN for stream {id}, an id only this side may open");
        }

        lock (_streamsLock)
        {
            if (_streams.ContainsKey(id))
            {
                throw new MuxadoProtocolException(MuxadoErrorCode.ProtocolError, $"SYN for stream {id}, which is already open");
            }

            // Not checked to grow: Go's muxado sends a stream's SYN with its first write, so
            // streams opened one after the other may reach us in either order.
            _lastRemoteId = Math.Max(_lastRemoteId, id);
            if (IsEnded)
            {
                return null; // End already emptied the table; a stream added now would never be failed
            }

            MuxadoErrorCode? refusal =
                IsDraining || _streams.Count >= Options.MaxStreams ? MuxadoErrorCode.StreamRefused
                : _unaccepted >= Options.AcceptBacklog ? MuxadoErrorCode.AcceptQueueFull
                : null;
            if (refusal is { } code)
            {
                EnqueueControl(MuxadoControlFrame.Reset(id, code));
                return null;
            }

            var stream = new MuxadoStream(this, id, isOutbound: false);
            _streams.Add(id, stream);
            _unaccepted++;
            _acceptQueue.Writer.TryWrite(stream);
            return stream;
        }
    }

    private void OnWindowIncrement(in MuxadoFrameHeader header, in ReadOnlySequence<byte> payload)
    {
        var increment = ReadUInt32(payload, 0) & MuxadoFrameHeader.WindowIncrementMask;
        if (increment == 0)
        {
            throw new MuxadoProtocolException(MuxadoErrorCode.ProtocolError, $"WNDINC of 0 on stream {header.StreamId}");
        }

        // A late increment for a stream that has ended is harmless: dropped.
        FindStream(header.StreamId)?.OnWindowIncrement(increment);
    }

    /// <summary>
    /// The peer is going away. Both ngrok clients close the connection right after their GOAWAY
    /// (and ngrok-rust's declares 8 bytes too few), so nothing after it is read: the session ends.
    /// </summary>
    private void OnGoAway(in ReadOnlySequence<byte> payload)
    {
        var lastStreamId = ReadUInt32(payload, 0) & MuxadoFrameHeader.StreamIdMask;
        var code = (MuxadoErrorCode)ReadUInt32(payload, 4);
        var debugBytes = payload.Slice(MuxadoFrameHeader.GoAwayFixedLength);
        var debug = debugBytes.IsEmpty
            ? null
            : Encoding.UTF8.GetString(debugBytes.Slice(0, Math.Min(debugBytes.Length, MaxGoAwayDebug)));
        var reason = $"the peer sent GOAWAY ({code}, last stream {lastStreamId}){(debug is null ? string.Empty : $": {debug}")}";
        End(
            new MuxadoCloseInfo(reason, code) { RemoteGoAwayDebug = debug },
            MuxadoErrorCode.RemoteGoneAway,
            codeIsRemote: true,
            goAway: null);
    }

    private static uint ReadUInt32(in ReadOnlySequence<byte> payload, int offset)
    {
        Span<byte> bytes = stackalloc byte[4];
        payload.Slice(offset, 4).CopyTo(bytes);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }
}

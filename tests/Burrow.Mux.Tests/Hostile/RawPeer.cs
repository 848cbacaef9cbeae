using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Burrow.Mux.Errors;
using Burrow.Mux.Frames;
using Burrow.Mux.Sessions;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Hostile;

/// <summary>
/// The far end of a session, speaking bytes instead of yamux: it writes whatever a test hands it
/// (valid frames, broken ones, half frames) and parses what the session sends back. Reading runs
/// in the background once started, so the session's writer never stalls on an unread transport;
/// a test that wants a peer which never reads simply does not start it.
/// </summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly IAsyncDisposable? _transport;
    private readonly Channel<RawFrame> _frames = Channel.CreateUnbounded<RawFrame>(new UnboundedChannelOptions { SingleWriter = true });
    private Task? _reader;

    private RawPeer(PipeReader input, PipeWriter output, IAsyncDisposable? transport)
    {
        _input = input;
        _output = output;
        _transport = transport;
    }

    /// <summary>True when the transport ended with a reset (TCP RST) rather than a clean end of stream.</summary>
    public bool EndedWithReset { get; private set; }

    /// <summary>Connects a raw peer to a new session over <paramref name="kind"/>; the session takes the other role.</summary>
    public static async Task<(RawPeer Peer, MuxSession Session)> ConnectAsync(
        TransportKind kind, bool sessionIsServer = true, MuxOptions? options = null, bool startReading = true)
    {
        RawPeer peer;
        MuxSession session;
        switch (kind)
        {
            case TransportKind.InMemoryPipe:
                var (a, b) = DuplexPipe.CreatePair();
                peer = new RawPeer(a.Input, a.Output, null);
                session = sessionIsServer ? MuxSession.Server(b, options) : MuxSession.Client(b, options);
                break;
            default:
                var (near, far) = kind == TransportKind.LoopbackTcp ? await Loopback.ConnectTcpAsync() : await Loopback.ConnectTlsAsync(coalesce: kind == TransportKind.LoopbackTlsCoalesced);
                peer = new RawPeer(PipeReader.Create(near, new StreamPipeReaderOptions(leaveOpen: true)), PipeWriter.Create(near, new StreamPipeWriterOptions(leaveOpen: true)), near);
                session = sessionIsServer ? MuxSession.Server(far, options) : MuxSession.Client(far, options);
                break;
        }

        if (startReading)
        {
            peer.StartReading();
        }

        return (peer, session);
    }

    /// <summary>A peer over a pipe pair the caller built (for custom buffer thresholds).</summary>
    public static RawPeer Over(IDuplexPipe end) => new(end.Input, end.Output, null);

    /// <summary>Encodes a header field by field; <paramref name="version"/> and <paramref name="rawType"/> may be anything.</summary>
    public static byte[] Header(FrameType type, FrameFlags flags, uint streamId, uint length, byte version = 0, byte? rawType = null)
    {
        var bytes = new byte[FrameHeader.Size];
        new FrameHeader(type, flags, streamId, length).WriteTo(bytes);
        bytes[0] = version;
        bytes[1] = rawType ?? (byte)type;
        return bytes;
    }

    /// <summary>A Data frame with its payload.</summary>
    public static byte[] Data(uint streamId, ReadOnlySpan<byte> payload, FrameFlags flags = FrameFlags.None)
    {
        var bytes = new byte[FrameHeader.Size + payload.Length];
        new FrameHeader(FrameType.Data, flags, streamId, (uint)payload.Length).WriteTo(bytes);
        payload.CopyTo(bytes.AsSpan(FrameHeader.Size));
        return bytes;
    }

    public static byte[] Window(uint streamId, FrameFlags flags, uint delta = 0) => Header(FrameType.WindowUpdate, flags, streamId, delta);

    public static byte[] Ping(FrameFlags flags, uint value, uint streamId = 0) => Header(FrameType.Ping, flags, streamId, value);

    public static byte[] GoAway(GoAwayCode code, uint streamId = 0) => Header(FrameType.GoAway, FrameFlags.None, streamId, (uint)code);

    /// <summary>Writes the parts back to back and flushes once. Returns false once the session stopped reading.</summary>
    public async ValueTask<bool> SendAsync(params byte[][] parts)
    {
        foreach (var part in parts)
        {
            _output.Write(part);
        }

        try
        {
            var result = await _output.FlushAsync();
            return !result.IsCompleted;
        }
        catch (IOException)
        {
            return false; // the session closed the socket under us
        }
    }

    /// <summary>Writes bytes without flushing (the caller batches).</summary>
    public void Buffer(ReadOnlySpan<byte> bytes) => _output.Write(bytes);

    /// <summary>Flushes what <see cref="Buffer"/> collected. Returns false once the session stopped reading.</summary>
    public async ValueTask<bool> FlushAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await _output.FlushAsync(cancellationToken);
            return !result.IsCompleted;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Half-closes towards the session: it reads end of stream.</summary>
    public async ValueTask CloseOutputAsync()
    {
        await _output.CompleteAsync();
        if (_transport is NetworkStream network)
        {
            network.Socket.Shutdown(SocketShutdown.Send);
        }
    }

    public void StartReading() => _reader ??= Task.Run(ReadLoopAsync);

    /// <summary>The next frame the session sent, or null once the transport has ended.</summary>
    public async ValueTask<RawFrame?> NextFrameAsync(CancellationToken cancellationToken)
    {
        return await _frames.Reader.WaitToReadAsync(cancellationToken) && _frames.Reader.TryRead(out var frame) ? frame : null;
    }

    /// <summary>Skips frames until one matches; fails if the transport ends first.</summary>
    public async Task<RawFrame> ExpectAsync(Func<RawFrame, bool> match, string what, CancellationToken cancellationToken)
    {
        var skipped = new List<string>();
        while (await NextFrameAsync(cancellationToken) is { } frame)
        {
            if (match(frame))
            {
                return frame;
            }

            skipped.Add(frame.ToString());
        }

        throw new Xunit.Sdk.XunitException($"the transport ended before {what}; the session sent: [{string.Join(", ", skipped)}]");
    }

    /// <summary>Reads until the session's side of the transport ends; returns what arrived on the way.</summary>
    public async Task<List<RawFrame>> ReadToEndAsync(CancellationToken cancellationToken)
    {
        var frames = new List<RawFrame>();
        while (await NextFrameAsync(cancellationToken) is { } frame)
        {
            frames.Add(frame);
        }

        return frames;
    }

    public async ValueTask DisposeAsync()
    {
        await _output.CompleteAsync();
        _input.CancelPendingRead();
        if (_reader is not null)
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(10));
        }

        await _input.CompleteAsync();
        if (_transport is not null)
        {
            await _transport.DisposeAsync();
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync();
                var buffer = result.Buffer;
                while (TryParse(ref buffer, out var frame))
                {
                    _frames.Writer.TryWrite(frame);
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (MuxProtocolException ex)
        {
            failure = new Xunit.Sdk.XunitException($"the session sent an invalid frame: {ex.Message}");
        }
        catch (IOException)
        {
            EndedWithReset = true;
        }
        finally
        {
            _frames.Writer.TryComplete(failure);
        }
    }

    private static bool TryParse(ref ReadOnlySequence<byte> buffer, out RawFrame frame)
    {
        frame = default;
        if (!FrameHeader.TryRead(buffer, out var header))
        {
            return false;
        }

        var payloadLength = header.Type == FrameType.Data ? header.Length : 0;
        if (buffer.Length < FrameHeader.Size + payloadLength)
        {
            return false;
        }

        frame = new RawFrame(header, buffer.Slice(FrameHeader.Size, payloadLength).ToArray());
        buffer = buffer.Slice(FrameHeader.Size + payloadLength);
        return true;
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Burrow.Mux.Muxado;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Muxado;

/// <summary>
/// The far end of a muxado session speaking raw bytes over a real loopback socket (or a pipe):
/// it writes whatever a test hands it and decodes what the session sends with its own code, so
/// the session's encoder is checked against the wire format, not against itself. Reading runs in
/// the background, so the session's writer never stalls on an unread socket.
/// </summary>
internal sealed class RawMuxadoPeer : IAsyncDisposable
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Stream? _transport;
    private readonly Channel<RawMuxadoFrame> _frames = Channel.CreateUnbounded<RawMuxadoFrame>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Task _reader;

    private RawMuxadoPeer(PipeReader input, PipeWriter output, Stream? transport)
    {
        _input = input;
        _output = output;
        _transport = transport;
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Bytes left over after the last whole frame when the transport ended (0 when it ended on a frame boundary).</summary>
    public long Leftover { get; private set; }

    /// <summary>True when the transport ended with a reset rather than a clean end of stream.</summary>
    public bool EndedWithReset { get; private set; }

    /// <summary>A raw peer as the client of a new server session (the edge's role), over <paramref name="transport"/>.</summary>
    public static async Task<(RawMuxadoPeer Peer, MuxadoSession Session)> ConnectAsync(
        MuxadoTransport transport = MuxadoTransport.LoopbackTcp, bool sessionIsServer = true, MuxadoOptions? options = null)
    {
        switch (transport)
        {
            case MuxadoTransport.InMemoryPipe:
                var (a, b) = DuplexPipe.CreatePair();
                return (new RawMuxadoPeer(a.Input, a.Output, null), MuxadoSession.OverPipe(b, isClient: !sessionIsServer, options));
            default:
                var (near, far) = transport == MuxadoTransport.LoopbackTcp ? await Loopback.ConnectTcpAsync() : await Loopback.ConnectTlsAsync();
                var peer = new RawMuxadoPeer(
                    PipeReader.Create(near, new StreamPipeReaderOptions(leaveOpen: true)),
                    PipeWriter.Create(near, new StreamPipeWriterOptions(leaveOpen: true)),
                    near);
                return (peer, sessionIsServer ? MuxadoSession.Server(far, options) : MuxadoSession.Client(far, options));
        }
    }

    /// <summary>A header, field by field; any type nibble, flags and length, exactly as given.</summary>
    public static byte[] Header(int type, int flags, uint streamId, int length)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, ((uint)length << 8) | ((uint)type << 4) | (uint)flags);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), streamId);
        return bytes;
    }

    public static byte[] Data(uint streamId, ReadOnlySpan<byte> payload, int flags = 0) =>
        [.. Header(RawMuxadoFrame.Data, flags, streamId, payload.Length), .. payload];

    public static byte[] Data(uint streamId, string text, int flags = 0) => Data(streamId, Encoding.UTF8.GetBytes(text), flags);

    public static byte[] Rst(uint streamId, MuxadoErrorCode code) => [.. Header(RawMuxadoFrame.Rst, 0, streamId, 4), .. U32((uint)code)];

    public static byte[] WndInc(uint streamId, uint increment) => [.. Header(RawMuxadoFrame.WndInc, 0, streamId, 4), .. U32(increment)];

    public static byte[] GoAway(uint lastStreamId, MuxadoErrorCode code, string debug = "", uint streamId = 0)
    {
        var debugBytes = Encoding.UTF8.GetBytes(debug);
        return [.. Header(RawMuxadoFrame.GoAway, 0, streamId, 8 + debugBytes.Length), .. U32(lastStreamId), .. U32((uint)code), .. debugBytes];
    }

    public static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>Writes the parts back to back and flushes once; false once the session stopped reading.</summary>
    public async ValueTask<bool> SendAsync(params byte[][] parts)
    {
        foreach (var part in parts)
        {
            _output.Write(part);
        }

        try
        {
            return !(await _output.FlushAsync()).IsCompleted;
        }
        catch (IOException)
        {
            return false; // the session closed the socket under us
        }
    }

    /// <summary>Half-closes towards the session: it reads end of stream.</summary>
    public async ValueTask CloseOutputAsync()
    {
        try
        {
            await _output.CompleteAsync();
            if (_transport is NetworkStream network)
            {
                network.Socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The session closed the socket first.
        }
    }

    /// <summary>The next frame the session sent, or null once the transport has ended.</summary>
    public async ValueTask<RawMuxadoFrame?> NextFrameAsync(CancellationToken cancellationToken) =>
        await _frames.Reader.WaitToReadAsync(cancellationToken) && _frames.Reader.TryRead(out var frame) ? frame : null;

    /// <summary>Skips frames until one matches; fails, listing what came, if the transport ends first.</summary>
    public async Task<RawMuxadoFrame> ExpectAsync(Func<RawMuxadoFrame, bool> match, string what, CancellationToken cancellationToken)
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

    /// <summary>Reads until the session's side of the transport ends; returns every frame on the way.</summary>
    public async Task<List<RawMuxadoFrame>> ReadToEndAsync(CancellationToken cancellationToken)
    {
        var frames = new List<RawMuxadoFrame>();
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
        await _reader.WaitAsync(TimeSpan.FromSeconds(10));
        await _input.CompleteAsync();
        if (_transport is not null)
        {
            await _transport.DisposeAsync();
        }
    }

    private async Task ReadLoopAsync()
    {
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
                    Leftover = buffer.Length;
                    return;
                }
            }
        }
        catch (IOException)
        {
            EndedWithReset = true;
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    private static bool TryParse(ref ReadOnlySequence<byte> buffer, out RawMuxadoFrame frame)
    {
        frame = null!;
        if (buffer.Length < 8)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[8];
        buffer.Slice(0, 8).CopyTo(header);
        var first = BinaryPrimitives.ReadUInt32BigEndian(header);
        var length = (int)(first >> 8);
        if (buffer.Length < 8 + length)
        {
            return false;
        }

        frame = new RawMuxadoFrame(
            (int)(first >> 4) & 0xF,
            (int)first & 0xF,
            BinaryPrimitives.ReadUInt32BigEndian(header[4..]),
            buffer.Slice(8, length).ToArray());
        buffer = buffer.Slice(8 + length);
        return true;
    }
}
